package io.lifeboat.restore.instant;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.lifeboat.store.DurableFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What one instant recovery is and how far it got, kept as {@code session.json} in its own
 * directory so that after a restart (of the agent or the appliance) it is clear which VM runs on
 * which export and what is left to do. Written atomically (a temporary file of a unique name
 * {@code session.json.<random>.tmp}, fsync, rename). Only the process that holds the session's
 * {@link SessionLock} writes it.
 *
 * <pre>
 * {
 *   "id": "3f1c…",                       the directory's name
 *   "restorePoint": "web01/20261127T070102.123Z",
 *   "vm": "web01-recovered",             the domain that runs on the overlays
 *   "libvirtUri": "qemu:///system",
 *   "socket": "/…/nbd.sock",             where the restore point's disks are exported
 *   "disks": [ {"target": "vda", "overlay": "/…/vda.overlay.qcow2", "image": "/images/web01-recovered-vda.qcow2"} ],
 *   "state": "COPYING",                  SERVING → COPYING → PIVOTED, or FAILED
 *   "started": "2026-11-27T09:41:00.123Z", "updated": "…",   ISO-8601, UTC
 *   "error": null                        why it FAILED, for the user
 * }
 * </pre>
 */
public record InstantSession(String id, String restorePoint, String vm, String libvirtUri, String socket,
                             List<Disk> disks, State state, String started, String updated, String error) {

    public static final String FILE = "session.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One disk: the overlay the VM runs on until the pivot, and the flat image it ends up on. */
    public record Disk(String target, String overlay, String image) {
    }

    public enum State {
        /** The VM runs on overlays backed by the export; nothing copied yet. */
        SERVING,
        /** The background copy into the final images is going on. */
        COPYING,
        /** Every disk is a flat image; the export is no longer needed. */
        PIVOTED,
        /** Given up; {@code error} says why. The VM, if it still exists, may need the export. */
        FAILED
    }

    public InstantSession {
        disks = List.copyOf(disks);
    }

    public InstantSession with(State newState, String newError) {
        return new InstantSession(id, restorePoint, vm, libvirtUri, socket, disks, newState, started, Instant.now().toString(), newError);
    }

    public boolean finished() {
        return state == State.PIVOTED || state == State.FAILED;
    }

    void write(Path dir) throws IOException {
        DurableFiles.replace(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /** Reads and checks a session's file; a file that is not a whole session of this directory is an IOException. */
    static InstantSession read(Path dir) throws IOException {
        InstantSession s = JSON.readValue(dir.resolve(FILE).toFile(), InstantSession.class);
        if (s == null || !dir.getFileName().toString().equals(s.id()) || s.state() == null || s.vm() == null
                || s.socket() == null || s.restorePoint() == null || s.started() == null) {
            throw new IOException("not a session of directory " + dir.getFileName()
                    + " (id, restorePoint, vm, socket, state and started are required)");
        }
        return s;
    }
}
