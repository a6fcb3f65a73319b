package io.lifeboat.restore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The real libvirtd for restore tests. Every VM and pool name a test uses comes from
 * {@link #name} and is destroyed and undefined by {@link #close}, whatever state the test left.
 */
final class TestLibvirt implements AutoCloseable {
    static final String URI = "qemu:///system";

    private final Connect connect;
    private final List<String> names = new ArrayList<>();

    TestLibvirt() throws KvmException {
        connect = LibvirtConnection.open(URI);
    }

    Connect connect() {
        return connect;
    }

    /** A unique name {@code lbtest-restore-<role>-<8 hex>}, remembered for cleanup. */
    String name(String role) {
        String name = "lbtest-restore-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
        names.add(name);
        return name;
    }

    /** Remembers a name made elsewhere (a VM named by a restore point) for cleanup. */
    void remember(String name) {
        names.add(name);
    }

    Domain domain(String name) throws LibvirtException {
        return connect.domainLookupByName(name);
    }

    boolean exists(String name) throws LibvirtException {
        try {
            connect.domainLookupByName(name);
            return true;
        } catch (LibvirtException e) {
            if (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return false;
            }
            throw e;
        }
    }

    String inactiveXml(String name) throws LibvirtException {
        return domain(name).getXMLDesc(Domain.XMLFlags.INACTIVE);
    }

    void awaitState(String name, DomainState state) throws LibvirtException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (domain(name).getInfo().state != state) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("VM " + name + " did not reach " + state + ": " + domain(name).getInfo().state);
            }
            Thread.sleep(50); // polling interval of a condition with a deadline
        }
    }

    /** Defines and starts a dir pool on {@code dir}. */
    void definePool(String name, java.nio.file.Path dir) throws LibvirtException {
        StoragePool pool = connect.storagePoolDefineXML("<pool type='dir'><name>" + name + "</name><target><path>"
                + dir + "</path></target></pool>", 0);
        pool.create(0);
    }

    @Override
    public void close() throws LibvirtException {
        for (String name : names) {
            try {
                if (exists(name)) {
                    Domain d = connect.domainLookupByName(name);
                    if (d.isActive() == 1) {
                        d.destroy();
                    }
                    d.undefine(1 | 2 | 4 | 16); // with snapshot and checkpoint metadata, managed save, nvram
                }
            } catch (LibvirtException e) {
                System.err.println("cleanup of VM " + name + " failed: " + e.getMessage());
            }
            try {
                StoragePool p = connect.storagePoolLookupByName(name);
                if (p.isActive() == 1) {
                    p.destroy();
                }
                p.undefine();
            } catch (LibvirtException e) {
                // no pool of that name: the usual case
            }
        }
        names.clear();
        connect.close();
    }
}
