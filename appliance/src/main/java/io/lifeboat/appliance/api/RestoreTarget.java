package io.lifeboat.appliance.api;

import java.nio.file.Path;

import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.store.manifest.RestorePointId;
import org.springframework.stereotype.Component;

/**
 * The parts of a restore request that point at things: the restore point in the path, the
 * libvirt host and directories in the body. Only configured hosts are accepted (a restore defines
 * VMs; the API does not reach hosts the operator did not list), directories must be absolute.
 */
@Component
class RestoreTarget {

    private final LibvirtHosts hosts;

    RestoreTarget(LibvirtHosts hosts) {
        this.hosts = hosts;
    }

    static RestorePointId restorePoint(String vm, String time) {
        try {
            return RestorePointId.parse(vm + "/" + time);
        } catch (IllegalArgumentException e) {
            throw ApplianceException.badRequest(e.getMessage(), e);
        }
    }

    /** A configured libvirt URI; null or blank is the default host. */
    String uri(String uri) {
        if (uri == null || uri.isBlank()) {
            return hosts.defaultUri();
        }
        if (!hosts.uris().contains(uri)) {
            throw ApplianceException.notFound("libvirt host " + uri + " is not one of the appliance's hosts " + hosts.uris());
        }
        return uri;
    }

    /** An absolute directory, or null when not given. */
    static Path directory(String field, String dir) {
        if (dir == null || dir.isBlank()) {
            return null;
        }
        Path p;
        try {
            p = Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            throw ApplianceException.badRequest(field + " is not a path: " + e.getMessage(), e);
        }
        if (!p.isAbsolute()) {
            throw ApplianceException.badRequest(field + " must be an absolute path, not '" + dir + "'");
        }
        return p.normalize();
    }
}
