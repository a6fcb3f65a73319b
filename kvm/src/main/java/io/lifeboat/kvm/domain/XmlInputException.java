package io.lifeboat.kvm.domain;

/**
 * XML from a user or a file that cannot be used: not well-formed, not the expected document, or
 * asking for something Lifeboat refuses (a domain type other than {@code qemu}). The message is
 * meant for the user as it is.
 */
public class XmlInputException extends IllegalArgumentException {
    public XmlInputException(String message) {
        super(message);
    }
}
