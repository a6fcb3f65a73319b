package io.lifeboat.appliance.backup;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the engine needs from a libvirt domain XML: the disks to back up (device='disk', not
 * read-only, with a source; CD-ROMs and floppies are skipped) and whether a guest agent channel
 * is defined.
 */
record DomainDefinition(String xml, List<VmDisk> disks, boolean hasAgentChannel) {
    static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    DomainDefinition {
        disks = List.copyOf(disks);
    }

    static DomainDefinition parse(String xml) throws BackupException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "libvirt returned domain XML that does not parse: " + e.getMessage(), e);
        }
        List<VmDisk> disks = new ArrayList<>();
        NodeList diskNodes = doc.getElementsByTagName("disk");
        for (int i = 0; i < diskNodes.getLength(); i++) {
            Element d = (Element) diskNodes.item(i);
            if (!(d.getParentNode() instanceof Element p) || !"devices".equals(p.getTagName())) {
                continue;
            }
            String device = d.getAttribute("device");
            if (!(device.isEmpty() || "disk".equals(device)) || child(d, "readonly") != null) {
                continue;
            }
            Element target = child(d, "target");
            Element source = child(d, "source");
            if (target == null || source == null) {
                continue; // no medium
            }
            Element driver = child(d, "driver");
            String format = driver == null || driver.getAttribute("type").isEmpty() ? "raw" : driver.getAttribute("type");
            String type = d.getAttribute("type").isEmpty() ? "file" : d.getAttribute("type");
            String path = !source.getAttribute("file").isEmpty() ? source.getAttribute("file") : source.getAttribute("dev");
            disks.add(new VmDisk(target.getAttribute("dev"), type, format, path.isEmpty() ? null : Path.of(path)));
        }
        boolean agent = false;
        NodeList channels = doc.getElementsByTagName("channel");
        for (int i = 0; i < channels.getLength(); i++) {
            Element target = child((Element) channels.item(i), "target");
            agent |= target != null && AGENT_CHANNEL.equals(target.getAttribute("name"));
        }
        return new DomainDefinition(xml, disks, agent);
    }

    boolean allTrackChanges() {
        return disks.stream().allMatch(VmDisk::tracksChanges);
    }

    private static Element child(Element e, String name) {
        for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && name.equals(c.getTagName())) {
                return c;
            }
        }
        return null;
    }
}
