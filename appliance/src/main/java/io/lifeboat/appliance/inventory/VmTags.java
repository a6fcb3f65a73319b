package io.lifeboat.appliance.inventory;

import io.lifeboat.kvm.domain.XmlDocuments;

import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The tag format: one element in the domain XML's {@code <metadata>}, in Lifeboat's namespace,
 * written and read through {@code virDomainSetMetadata}/{@code virDomainGetMetadata}:
 *
 * <pre>{@code
 * <metadata>
 *   <lifeboat:tags xmlns:lifeboat="https://lifeboat.io/xmlns/appliance/1">
 *     <lifeboat:tag>prod</lifeboat:tag>
 *     <lifeboat:tag>web</lifeboat:tag>
 *   </lifeboat:tags>
 * </metadata>
 * }</pre>
 *
 * Lifeboat hands libvirt {@code <tags><tag>..</tag></tags>} and libvirt puts every element into
 * the namespace; readers take {@code tag} children with or without it. Version 1 of the format is
 * the namespace URI; a change to the layout gets a new URI. Tags are a
 * set, written sorted; an empty set removes the element.
 */
public final class VmTags {

    /** The namespace of Lifeboat's domain metadata, version 1. */
    public static final String NAMESPACE = "https://lifeboat.io/xmlns/appliance/1";
    /** The prefix libvirt writes the element with. */
    public static final String PREFIX = "lifeboat";

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    private VmTags() {
    }

    /** Checks and sorts tags; a tag with other characters than letters, digits, '.', '_', ':' or '-' is BAD_INPUT. */
    public static SortedSet<String> validate(Collection<String> tags) {
        SortedSet<String> sorted = new TreeSet<>();
        for (String tag : tags) {
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw InventoryException.badInput("Invalid tag '" + tag
                        + "': use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
            }
            sorted.add(tag);
        }
        return sorted;
    }

    /** The element handed to {@code virDomainSetMetadata}; libvirt puts it into {@link #NAMESPACE}. */
    static String toElement(SortedSet<String> tags) {
        Document document = XmlDocuments.newDocument("tags");
        for (String tag : tags) {
            XmlDocuments.appendText(document.getDocumentElement(), "tag", tag);
        }
        return XmlDocuments.write(document);
    }

    /** Tags from the element {@code virDomainGetMetadata} returns. */
    static SortedSet<String> fromElement(String xml) {
        return fromElement(XmlDocuments.parse(xml, "Lifeboat tag metadata").getDocumentElement());
    }

    /** Tags from a whole domain's {@code <metadata>}; none when it has no Lifeboat element. */
    static SortedSet<String> fromDomain(Element domain) {
        Element metadata = XmlDocuments.child(domain, "metadata");
        if (metadata != null) {
            for (Element e : XmlDocuments.children(metadata, "tags")) {
                if (NAMESPACE.equals(e.getNamespaceURI())) {
                    return fromElement(e);
                }
            }
        }
        return new TreeSet<>();
    }

    private static SortedSet<String> fromElement(Element tags) {
        SortedSet<String> found = new TreeSet<>();
        for (Element tag : XmlDocuments.children(tags, "tag")) {
            String text = tag.getTextContent().trim();
            if (!text.isEmpty()) {
                found.add(text);
            }
        }
        return found;
    }
}
