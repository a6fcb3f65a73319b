package io.lifeboat.restore.instant;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** A libvirt connection closed by try-with-resources (libvirt-java's {@link Connect} is not AutoCloseable). */
final class LibvirtSession implements AutoCloseable {
    private final Connect connect;

    private LibvirtSession(Connect connect) {
        this.connect = connect;
    }

    static LibvirtSession open(String uri) throws LibvirtException {
        return new LibvirtSession(new Connect(uri));
    }

    Connect connect() {
        return connect;
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException ignored) {
            // closing a connection that failed changes nothing for the caller
        }
    }
}
