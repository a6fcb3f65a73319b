package io.lifeboat.restore;

import io.lifeboat.restore.domain.XmlDocuments;
import io.lifeboat.store.StoreException.Kind;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.w3c.dom.Element;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One connection to the libvirt daemon a restore defines its VM on: the few calls a restore
 * needs, with libvirt's errors turned into {@link RestoreException}s that name the host.
 */
public final class LibvirtHost implements AutoCloseable {
    /** Keeps libvirt from also printing each error to stderr; the caller gets it as an exception. */
    private static final ErrorCallback SILENT = new ErrorCallback();
    private static final int INACTIVE_SECURE = Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE;

    /** A domain that exists on the host. */
    public record ExistingVm(String name, String uuid, boolean running, String inactiveXml) {
    }

    private final String uri;
    private final Connect connect;

    private LibvirtHost(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    public static LibvirtHost connect(String uri) throws RestoreException {
        try {
            Connect c = new Connect(uri, false);
            c.setConnectionErrorCallback(SILENT);
            return new LibvirtHost(uri, c);
        } catch (LibvirtException e) {
            throw new RestoreException(Kind.IO, "cannot connect to libvirt at " + uri + ": " + detail(e), e);
        }
    }

    String uri() {
        return uri;
    }

    /** The connection itself, for what this class does not wrap (block jobs, domain state). */
    public Connect connection() {
        return connect;
    }

    /**
     * True for URIs that reach the libvirtd of this machine ({@code qemu:///system},
     * {@code qemu+unix:///system}): only there do this machine's file paths mean the same.
     */
    public static boolean isLocal(String uri) {
        try {
            String host = new java.net.URI(uri).getHost();
            return host == null || host.isEmpty() || host.equals("localhost") || host.equals("127.0.0.1");
        } catch (java.net.URISyntaxException e) {
            return false;
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
            return Optional.of(connect.domainLookupByName(name));
        } catch (LibvirtException e) {
            return absentIf(e, ErrorNumber.VIR_ERR_NO_DOMAIN, "look up VM " + name);
        }
    }

    public Optional<ExistingVm> byUuid(String uuid) throws RestoreException {
        try {
            return Optional.of(describe(connect.domainLookupByUUIDString(uuid)));
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
            return connect.domainDefineXML(xml).getUUIDString();
        } catch (LibvirtException e) {
            Kind kind = has(e, ErrorNumber.VIR_ERR_XML_ERROR) || has(e, ErrorNumber.VIR_ERR_XML_DETAIL)
                    || has(e, ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA) ? Kind.BAD_INPUT : Kind.IO;
            throw new RestoreException(kind, "libvirt at " + uri + " refused the restored definition: " + detail(e), e);
        }
    }

    void start(String name) throws RestoreException {
        try {
            connect.domainLookupByName(name).create();
        } catch (LibvirtException e) {
            throw new RestoreException(Kind.IO, "VM " + name + " was defined on " + uri + " but did not start: " + detail(e), e);
        }
    }

    /** The target directory of a {@code dir} storage pool. */
    Path poolDirectory(String pool) throws RestoreException {
        try {
            StoragePool p = connect.storagePoolLookupByName(pool);
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
            StoragePool p = connect.storagePoolLookupByName(pool);
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
        return e.getError() != null && e.getError().getCode() == code;
    }

    private static String detail(LibvirtException e) {
        return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : String.valueOf(e.getMessage());
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            // the connection is gone either way
        }
    }
}
