package io.lifeboat.restore;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.domain.XmlDocuments;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.kvm.libvirt.ReconnectingConnection;
import io.lifeboat.store.StoreException.Kind;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.w3c.dom.Element;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One connection to the libvirt daemon a restore defines its VM on: the few calls a restore
 * needs, with libvirt's errors turned into {@link RestoreException}s that name the host. The
 * connection opens within {@link LibvirtConnection#DEFAULT_TIMEOUT} and is reopened if it dies
 * between calls ({@link ReconnectingConnection}).
 */
public final class LibvirtHost implements AutoCloseable {
    private static final int INACTIVE_SECURE = Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE;

    /** A domain that exists on the host. */
    public record ExistingVm(String name, String uuid, boolean running, String inactiveXml) {
    }

    private final String uri;
    private final ReconnectingConnection connection;

    private LibvirtHost(String uri, ReconnectingConnection connection) {
        this.uri = uri;
        this.connection = connection;
    }

    /** Connects now, so that a host that cannot be reached fails the restore before anything is done. */
    public static LibvirtHost connect(String uri) throws RestoreException {
        ReconnectingConnection connection = new ReconnectingConnection(uri, LibvirtConnection.DEFAULT_TIMEOUT);
        LibvirtHost host = new LibvirtHost(uri, connection);
        host.connection();
        return host;
    }

    String uri() {
        return uri;
    }

    /** The connection itself, for what this class does not wrap (block jobs, domain state). */
    public Connect connection() throws RestoreException {
        try {
            return connection.get();
        } catch (KvmException e) {
            throw RestoreException.from(e);
        }
    }

    public Optional<ExistingVm> byName(String name) throws RestoreException {
        Optional<Domain> d = domain(name);
        try {
            return d.isEmpty() ? Optional.empty() : Optional.of(describe(d.get()));
        } catch (LibvirtException e) {
            throw failed("describe VM " + name, e);
        }
    }

    /** The domain of that name, running or not, if the host has one. */
    public Optional<Domain> domain(String name) throws RestoreException {
        try {
            return Optional.of(connection().domainLookupByName(name));
        } catch (LibvirtException e) {
            return absentIf(e, ErrorNumber.VIR_ERR_NO_DOMAIN, "look up VM " + name);
        }
    }

    public Optional<ExistingVm> byUuid(String uuid) throws RestoreException {
        try {
            return Optional.of(describe(connection().domainLookupByUUIDString(uuid)));
        } catch (LibvirtException e) {
            if (has(e, ErrorNumber.VIR_ERR_INVALID_ARG)) {
                return Optional.empty(); // not a UUID libvirt accepts, so no domain has it
            }
            return absentIf(e, ErrorNumber.VIR_ERR_NO_DOMAIN, "look up UUID " + uuid);
        }
    }

    /** Defines (or redefines, same name and UUID) a persistent domain; returns its UUID. */
    String define(String xml) throws RestoreException {
        try {
            return connection().domainDefineXML(xml).getUUIDString();
        } catch (LibvirtException e) {
            Kind kind = has(e, ErrorNumber.VIR_ERR_XML_ERROR) || has(e, ErrorNumber.VIR_ERR_XML_DETAIL)
                    || has(e, ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA) ? Kind.BAD_INPUT : Kind.IO;
            throw new RestoreException(kind, "libvirt at " + uri + " refused the restored definition: " + detail(e), e);
        }
    }

    void start(String name) throws RestoreException {
        try {
            connection().domainLookupByName(name).create();
        } catch (LibvirtException e) {
            throw new RestoreException(Kind.IO, "VM " + name + " was defined on " + uri + " but did not start: " + detail(e), e);
        }
    }

    /** The target directory of a {@code dir} storage pool. */
    public Path poolDirectory(String pool) throws RestoreException {
        try {
            StoragePool p = connection().storagePoolLookupByName(pool);
            Element root = XmlDocuments.parse(p.getXMLDesc(0), "Storage pool XML").getDocumentElement();
            if (!"dir".equals(root.getAttribute("type"))) {
                throw RestoreException.badInput("storage pool " + pool + " on " + uri + " is of type '"
                        + root.getAttribute("type") + "'; only 'dir' pools can take restored disk files");
            }
            Element target = XmlDocuments.child(root, "target");
            String path = target == null ? null : XmlDocuments.childText(target, "path");
            if (path == null || path.isEmpty()) {
                throw RestoreException.badInput("storage pool " + pool + " on " + uri + " has no target path");
            }
            return Path.of(path);
        } catch (LibvirtException e) {
            if (has(e, ErrorNumber.VIR_ERR_NO_STORAGE_POOL)) {
                throw RestoreException.notFound("no storage pool named '" + pool + "' on " + uri);
            }
            throw failed("read storage pool " + pool, e);
        }
    }

    /** Lets an active pool list the files just written; an inactive pool finds them when started. */
    void refreshPool(String pool) throws RestoreException {
        try {
            StoragePool p = connection().storagePoolLookupByName(pool);
            if (p.isActive() == 1) {
                p.refresh(0);
            }
        } catch (LibvirtException e) {
            throw failed("refresh storage pool " + pool, e);
        }
    }

    private ExistingVm describe(Domain d) throws LibvirtException {
        return new ExistingVm(d.getName(), d.getUUIDString(), d.isActive() == 1, d.getXMLDesc(INACTIVE_SECURE));
    }

    private <T> Optional<T> absentIf(LibvirtException e, ErrorNumber code, String what) throws RestoreException {
        if (has(e, code)) {
            return Optional.empty();
        }
        throw failed(what, e);
    }

    private RestoreException failed(String what, LibvirtException e) {
        return new RestoreException(Kind.IO, "cannot " + what + " on " + uri + ": " + detail(e), e);
    }

    private static boolean has(LibvirtException e, ErrorNumber code) {
        return LibvirtConnection.hasCode(e, code);
    }

    private static String detail(LibvirtException e) {
        return LibvirtConnection.detail(e);
    }

    @Override
    public void close() {
        connection.close();
    }
}
