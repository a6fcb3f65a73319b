package io.lifeboat.restore.instant;

import io.lifeboat.kvm.KvmException;
import io.lifeboat.kvm.blockjob.BlockCopy;
import io.lifeboat.kvm.domain.Disk;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.kvm.domain.XmlInputException;
import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.kvm.qemu.QemuImg;
import io.lifeboat.kvm.qemu.QemuMonitor;
import io.lifeboat.nbd.ExportStatistics;
import io.lifeboat.restore.DiskFormat;
import io.lifeboat.restore.DomainRemap;
import io.lifeboat.restore.LibvirtHost;
import io.lifeboat.restore.NetworkMapping;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.store.Progress;
import io.lifeboat.store.StoreException.Kind;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.read.ChunkSource;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Instant recovery: a VM runs from a restore point within seconds, long before its disks are
 * copied back.
 * <ol>
 * <li>Every disk the restore point needs is checked to be readable (all its chunks present)
 *     before anything is created.</li>
 * <li>An {@link NbdServer} exports each disk read-only on a unix socket in the session's
 *     directory ({@link RestorePointExport}: chunks read on demand from the local store or the
 *     bucket).</li>
 * <li>Each disk gets a qcow2 overlay backed by its export; the VM is defined on the overlays
 *     (writes land in the overlay from the first second) and started.</li>
 * <li>{@link #copyAndPivot} copies each disk, through its chain, into its final flat image and
 *     pivots the VM onto it ({@link BlockCopy}); then the export is closed and the overlays are
 *     deleted.</li>
 * </ol>
 * Each session's state is in {@code <root>/<id>/session.json} ({@link InstantSession}, kept by
 * {@link SessionStore}); {@link SessionExports} serves the exports. If the
 * process serving the exports stops before the pivot, the VM keeps running as long as it reads
 * what its overlay holds, and pauses on the first read that needs the export (the overlay's error
 * policy is {@code stop}): it never sees a failed read as data. {@link #resume} serves the
 * exports again on the same socket (QEMU reconnects), resumes a VM paused that way, and the copy
 * can be started again.
 */
public final class InstantRecovery implements AutoCloseable {
    private static final Pattern VM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** sun_path is 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final java.time.Duration RECONNECT_DEADLINE = java.time.Duration.ofSeconds(60);
    private static final int COPY_ATTEMPTS = 4;
    private static final int RESUME_ATTEMPTS = 3;
    private static final System.Logger LOG = System.getLogger(InstantRecovery.class.getName());

    /**
     * @param vmName      the recovered VM's name
     * @param newIdentity give it a new UUID and new MAC addresses (to run beside the original);
     *                    false keeps the original's, for a recovery site where the original is gone
     * @param imageDir    where the final flat images go ({@code <vm>-<disk>.qcow2})
     * @param libvirtUri  the libvirt host that runs it
     * @param cacheChunks decoded chunks each export keeps in memory
     * @param readAhead   data chunks fetched ahead of a read (for a bucket source; 0 for the local store)
     * @param networks    the VM's networks moved to the host's
     * @param vcpus       virtual CPUs, 0 to keep the VM's
     * @param memoryBytes memory, 0 to keep the VM's
     * @param isolatedOn  a libvirt network every interface is put on, whatever its type (a DR
     *                    drill's isolated network); null for none
     */
    public record Options(String vmName, boolean newIdentity, Path imageDir, String libvirtUri, int cacheChunks,
                          int readAhead, NetworkMapping networks, int vcpus, long memoryBytes, String isolatedOn) {
        public Options(String vmName, boolean newIdentity, Path imageDir, String libvirtUri, int cacheChunks, int readAhead) {
            this(vmName, newIdentity, imageDir, libvirtUri, cacheChunks, readAhead, NetworkMapping.none(), 0, 0, null);
        }

        public Options {
            networks = networks == null ? NetworkMapping.none() : networks;
            if (vcpus < 0 || memoryBytes < 0) {
                throw new IllegalArgumentException("vcpus and memory must not be negative");
            }
            if (vmName == null || !VM_NAME.matcher(vmName).matches()) {
                throw new IllegalArgumentException("VM name must be 1-64 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit; got '" + vmName + "'");
            }
            if (cacheChunks < 1 || readAhead < 0) {
                throw new IllegalArgumentException("cache must hold at least one chunk and read-ahead must not be negative");
            }
        }
    }

    /** The sessions; this process holds the {@link SessionLock} of those it serves or copies. */
    private final SessionStore store;
    private final SessionExports exports = new SessionExports();
    private final Set<String> copying = ConcurrentHashMap.newKeySet();

    /** Sessions live in directories under {@code root}. */
    public InstantRecovery(Path root) throws IOException {
        this.store = new SessionStore(root);
    }

    /**
     * Starts serving the restore point and the VM on it. Nothing is created when the restore
     * point cannot be served in full (every chunk is checked readable first: {@link ChunkSource#has})
     * or a name or file is taken.
     */
    public InstantSession start(Manifest manifest, ChunkSource source, Options o)
            throws StoreException {
        DomainXml xml = parseDomain(manifest);
        // first, so that what cannot be remapped refuses before anything is made
        List<String> hostPaths = DomainRemap.remapHostPaths(xml, o.vmName(), o.imageDir().toAbsolutePath());
        List<DiskMap> disks = manifest.disks();
        List<InstantSession.Disk> planned = new ArrayList<>();
        for (DiskMap d : disks) {
            Path image = o.imageDir().toAbsolutePath().resolve(o.vmName() + "-" + d.name() + ".qcow2");
            if (Files.exists(image)) {
                throw new RestoreException(Kind.CONFLICT, "image " + image + " exists already;"
                        + " choose another VM name or image directory");
            }
            planned.add(new InstantSession.Disk(d.name(), null, image.toString()));
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path dir = store.dir(id);
        Path socket = dir.resolve("nbd.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new RestoreException(Kind.BAD_INPUT, "the session directory " + dir
                    + " is too deep for a unix socket path (at most " + MAX_SOCKET_PATH + " bytes); use a shorter work directory");
        }
        try (LibvirtHost host = LibvirtHost.connect(o.libvirtUri())) {
            Connect libvirt = host.connection();
            // always an explicit UUID, so that a failed start can tell the domain it defined from any other
            String uuid = o.newIdentity() || xml.uuid() == null ? UUID.randomUUID().toString() : xml.uuid();
            requireFree(host, o.vmName(), uuid);
            preflight(disks, source); // after the cheap checks, as a full restore's plan does
            Files.createDirectories(dir);
            store.hold(id);
            List<InstantSession.Disk> withOverlays = new ArrayList<>();
            for (InstantSession.Disk d : planned) {
                withOverlays.add(new InstantSession.Disk(d.target(), dir.resolve(d.target() + ".overlay.qcow2").toString(), d.image()));
            }
            String now = Instant.now().toString();
            InstantSession session = new InstantSession(id, manifest.id().toString(), o.vmName(), o.libvirtUri(),
                    socket.toString(), withOverlays, InstantSession.State.SERVING, now, now, null);
            Domain defined = null;
            try {
                exports.serve(session, manifest, source, o.cacheChunks(), o.readAhead());
                for (InstantSession.Disk d : withOverlays) {
                    QemuImg.nbdOverlay(Path.of(d.overlay()), d.target(), socket, manifest.disk(d.target()).size());
                }
                remap(xml, session, uuid, o, hostPaths);
                Files.createDirectories(o.imageDir());
                store.record(session);
                // again: a VM of that name or UUID defined meanwhile would be redefined, not refused, by libvirt
                requireFree(host, o.vmName(), uuid);
                defined = libvirt.domainDefineXML(xml.toXml());
                defined.create();
                return session;
            } catch (RestoreException e) {
                abandon(defined, uuid, session);
                throw e;
            } catch (KvmException e) {
                abandon(defined, uuid, session);
                throw RestoreException.from(e);
            } catch (IOException | LibvirtException | RuntimeException e) {
                abandon(defined, uuid, session);
                throw new RestoreException(Kind.IO, "instant recovery of "
                        + manifest.id() + " as " + o.vmName() + " failed: " + e.getMessage(), e);
            }
        } catch (RestoreException e) {
            throw e;
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies every disk into its final image and pivots the VM onto it, then stops serving the
     * export and deletes the overlays. {@code bandwidth} limits each copy (bytes/s, 0: none).
     */
    public InstantSession copyAndPivot(String id, long bandwidth, Progress progress) throws RestoreException,
            InterruptedException {
        session(id); // NOT_FOUND before anything else
        if (!copying.add(id)) {
            throw RestoreException.conflict("session " + id + " is being copied already");
        }
        try {
            store.hold(id);
            return copyHolding(id, bandwidth, progress);
        } finally {
            copying.remove(id);
            releaseIfIdle(id);
        }
    }

    private InstantSession copyHolding(String id, long bandwidth, Progress progress) throws RestoreException,
            InterruptedException {
        InstantSession session = session(id);
        if (session.state() == InstantSession.State.PIVOTED) {
            return session;
        }
        try (LibvirtHost host = LibvirtHost.connect(session.libvirtUri())) {
            Connect libvirt = host.connection();
            Domain domain = libvirt.domainLookupByName(session.vm());
            session = store.record(session.with(InstantSession.State.COPYING, null));
            for (InstantSession.Disk d : session.disks()) {
                if (!hasBackingChain(domain, d)) {
                    continue; // pivoted before a restart
                }
                BlockCopy.abortLeftover(domain, d.target()); // a copy left by a run that ended (the lock is ours)
                progress.phase("copy " + d.target(), BlockCopy.size(domain, d.target()));
                copyOnceConnected(domain, session, d, bandwidth, progress);
            }
            stopServing(id);
            for (InstantSession.Disk d : session.disks()) {
                Files.deleteIfExists(Path.of(d.overlay()));
            }
            return store.record(session.with(InstantSession.State.PIVOTED, null));
        } catch (RestoreException e) {
            store.record(session.with(InstantSession.State.FAILED, e.getMessage()));
            throw e;
        } catch (LibvirtException | IOException e) {
            store.record(session.with(InstantSession.State.FAILED, e.getMessage()));
            throw new RestoreException(Kind.IO, "copying " + session.vm()
                    + " off the restore point failed: " + e.getMessage() + "; the VM still runs on its overlays,"
                    + " resume the session to try again", e);
        }
    }

    /**
     * After a restart: serves an unfinished session's exports again on the same socket, so the VM
     * (whose QEMU reconnects) can read them, and resumes the VM if it paused on a failed read.
     * A session whose VM is gone is marked FAILED.
     */
    public InstantSession resume(String id, Manifest manifest, ChunkSource source, int cacheChunks, int readAhead)
            throws RestoreException, InterruptedException {
        InstantSession session = session(id);
        if (session.state() == InstantSession.State.PIVOTED || exports.serving(id)) {
            return session;
        }
        if (!session.restorePoint().equals(manifest.id().toString())) {
            throw new RestoreException(Kind.BAD_INPUT, "session " + id + " serves "
                    + session.restorePoint() + ", not " + manifest.id());
        }
        store.hold(id);
        try (LibvirtHost host = LibvirtHost.connect(session.libvirtUri())) {
            session = session(id); // as the last holder left it
            Optional<Domain> domain = host.domain(session.vm());
            if (domain.isEmpty()) {
                return store.record(session.with(InstantSession.State.FAILED, "VM " + session.vm() + " no longer exists"));
            }
            // Left by a process that is gone: one that serves holds the lock, and removes its socket when it stops.
            Files.deleteIfExists(Path.of(session.socket()));
            exports.serve(session, manifest, source, cacheChunks, readAhead);
            resumePaused(domain.get(), session);
            return store.record(session.with(InstantSession.State.SERVING, null));
        } catch (RestoreException e) {
            throw e;
        } catch (LibvirtException | IOException e) {
            throw new RestoreException(Kind.IO, "cannot resume session " + id + ": "
                    + e.getMessage(), e);
        } finally {
            releaseIfIdle(id);
        }
    }

    /**
     * Resumes a VM that paused on a failed read of the export, once QEMU is connected again to
     * the export of every disk still on its chain: resumed earlier, the VM retries its failed
     * read on a disk not yet connected, fails and pauses again. It is checked again after the
     * resume, and resumed again if it did pause.
     */
    private void resumePaused(Domain domain, InstantSession session) throws LibvirtException, RestoreException,
            InterruptedException {
        for (int attempt = 1; domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_PAUSED; attempt++) {
            if (attempt > RESUME_ATTEMPTS) {
                throw new RestoreException(Kind.IO, "VM " + session.vm() + " paused again after " + RESUME_ATTEMPTS
                        + " resumes; it stays paused (resume the session again, or check the VM)");
            }
            awaitReconnect(domain, session);
            domain.resume();
        }
    }

    /**
     * After a restart QEMU's NBD client connects to the served-again export only when something
     * reads from it: a copy started before that fails at once, but makes QEMU connect. So a copy
     * that fails while the export had no connection is tried again once QEMU is back.
     */
    private void copyOnceConnected(Domain domain, InstantSession session, InstantSession.Disk d, long bandwidth,
                                   Progress progress) throws LibvirtException, InterruptedException, IOException,
            RestoreException {
        for (int attempt = 1; ; attempt++) {
            boolean connected = exports.connected(session.id(), d.target());
            Files.deleteIfExists(Path.of(d.image())); // a copy that did not reach its pivot
            try {
                BlockCopy.copyAndPivot(domain, d.target(), Path.of(d.image()), bandwidth, progress::add);
                return;
            } catch (KvmException e) {
                if (connected || attempt == COPY_ATTEMPTS) {
                    throw RestoreException.from(e);
                }
                long deadline = System.nanoTime() + RECONNECT_DEADLINE.toNanos();
                while (!exports.connected(session.id(), d.target()) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
        }
    }

    /**
     * Waits until QEMU has a connection to the export of every disk still on its backing chain:
     * its NBD client retries on its own, with a back-off that grows to about 16 s.
     */
    private void awaitReconnect(Domain domain, InstantSession session) throws LibvirtException, RestoreException,
            InterruptedException {
        List<String> waiting = new ArrayList<>();
        for (InstantSession.Disk d : session.disks()) {
            if (hasBackingChain(domain, d)) {
                waiting.add(d.target());
            }
        }
        long deadline = System.nanoTime() + RECONNECT_DEADLINE.toNanos();
        while (true) {
            waiting.removeIf(disk -> exports.connected(session.id(), disk));
            if (waiting.isEmpty()) {
                return;
            }
            // QEMU's NBD client notices that its connection is gone, and starts to reconnect, only
            // when it sends a request: a disk the guest has not read since the export went away
            // would never come back on its own, and the guest's next read would pause the VM again.
            for (String disk : waiting) {
                try {
                    QemuMonitor.readNbdBacking(domain, disk);
                } catch (KvmException e) {
                    throw RestoreException.from(e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new RestoreException(Kind.IO, "VM " + session.vm() + " did not connect to disk(s) " + waiting
                        + " again within " + RECONNECT_DEADLINE.toSeconds()
                        + " s; it stays paused (resume the session again, or check the VM)");
            }
            Thread.sleep(100);
        }
    }

    /** Every readable session under the root, oldest first; see {@link #listSessions} for the unreadable ones. */
    public List<InstantSession> sessions() throws IOException {
        return listSessions().sessions();
    }

    /**
     * Every session under the root, oldest first, and apart from them each session file that
     * cannot be read (logged too): one damaged file must not keep the others from being resumed.
     */
    public SessionListing listSessions() throws IOException {
        return store.list();
    }

    public InstantSession session(String id) throws RestoreException {
        return store.read(id);
    }
    /**
     * Removes a session that no VM depends on any more: PIVOTED, or FAILED with its VM gone or no
     * longer on the session's overlays (live or persistent definition). Its directory (state file,
     * overlays, lock) goes, so the restore point it read is no longer held by it. Refused
     * (CONFLICT) while this or another process serves or copies it, while it is SERVING or
     * COPYING, and while a VM still uses one of its overlays: deleting those would lose the
     * guest's writes.
     */
    public void discard(String id) throws RestoreException {
        InstantSession s = session(id);
        if (exports.serving(id) || copying.contains(id)) {
            throw RestoreException.conflict("instant recovery " + id + " is being served here; stop serving it first");
        }
        if (s.state() != InstantSession.State.PIVOTED && s.state() != InstantSession.State.FAILED) {
            throw RestoreException.conflict("instant recovery " + id + " is " + s.state() + ": VM " + s.vm()
                    + " runs on its export; copy it onto its own disks first");
        }
        store.hold(id); // no other process may serve it meanwhile
        try {
            if (s.state() == InstantSession.State.FAILED) {
                requireNoVmOnOverlays(s);
            }
            store.delete(id);
        } finally {
            store.release(id);
        }
    }

    /**
     * Stops an instant recovery that is not wanted any more (a DR drill that has been checked, say):
     * its VM is destroyed and undefined, its export stops, and the session goes with its overlays.
     * Whatever the guest wrote is thrown away. Only the session's own VM is removed: a domain of
     * that name that does not use the session's overlays is left alone. Refused (CONFLICT) once
     * the session is PIVOTED (the VM then runs on its own disks and is an ordinary VM), while its
     * copy runs, and while another process holds the session.
     */
    public void stop(String id) throws RestoreException {
        InstantSession s = session(id);
        if (s.state() == InstantSession.State.PIVOTED) {
            throw RestoreException.conflict("instant recovery " + id + " is pivoted: VM " + s.vm()
                    + " runs on its own disks now; remove it as any VM");
        }
        if (copying.contains(id)) {
            throw RestoreException.conflict("the copy of instant recovery " + id + " is running; stop it when the copy"
                    + " has ended, or let it pivot");
        }
        store.hold(id);
        try {
            removeVmOnOverlays(s);
            exports.stop(id);
            store.delete(id);
        } finally {
            store.release(id);
        }
    }

    private static void removeVmOnOverlays(InstantSession s) throws RestoreException {
        try (LibvirtHost host = LibvirtHost.connect(s.libvirtUri())) {
            Optional<Domain> vm = host.domain(s.vm());
            if (vm.isEmpty() || !usesOverlays(vm.get(), s)) {
                return;
            }
            Domain d = vm.get();
            if (d.isActive() == 1) {
                d.destroy();
            }
            d.undefine(4 /* VIR_DOMAIN_UNDEFINE_NVRAM: the instant VM's own variable store, if any */);
        } catch (LibvirtException e) {
            throw new RestoreException(Kind.IO, "cannot remove VM " + s.vm() + " on " + s.libvirtUri() + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean usesOverlays(Domain vm, InstantSession s) throws LibvirtException {
        Set<String> overlays = new java.util.HashSet<>();
        s.disks().forEach(d -> overlays.add(d.overlay()));
        for (int flags : new int[] {0, 2 /* VIR_DOMAIN_XML_INACTIVE */}) {
            for (Disk d : DomainXml.parse(vm.getXMLDesc(flags)).disks()) {
                if (d.path() != null && overlays.contains(d.path())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void requireNoVmOnOverlays(InstantSession s) throws RestoreException {
        try (LibvirtHost host = LibvirtHost.connect(s.libvirtUri())) {
            Optional<Domain> vm = host.domain(s.vm());
            if (vm.isPresent() && usesOverlays(vm.get(), s)) {
                throw RestoreException.conflict("VM " + s.vm() + " still uses the overlays of instant recovery " + s.id()
                        + "; copy it onto its own disks, or stop the recovery (which removes the VM), first");
            }
        } catch (LibvirtException e) {
            throw new RestoreException(Kind.IO, "cannot read VM " + s.vm() + " on " + s.libvirtUri() + ": " + e.getMessage(), e);
        }
    }

    /** What the export of one disk has served so far, while it is served. */
    public Optional<ExportStatistics> served(String id, String disk) {
        return exports.statistics(id, disk);
    }

    /** Stops serving a session's exports (its VM pauses on its next read that needs them). */
    public void stopServing(String id) {
        exports.stop(id); // before the lock goes: it removes its socket, so never a successor's
        releaseIfIdle(id);
    }

    /** Gives the session's lock up once this process neither serves nor copies it. */
    private synchronized void releaseIfIdle(String id) {
        if (!exports.serving(id) && !copying.contains(id)) {
            store.release(id);
        }
    }

    private static DomainXml parseDomain(Manifest manifest) throws RestoreException {
        if (manifest.domainXml() == null || manifest.domainXml().isBlank()) {
            throw new RestoreException(Kind.BAD_INPUT, "restore point " + manifest.id()
                    + " holds disks only, no VM definition; restore its disks instead");
        }
        try {
            return DomainXml.parse(manifest.domainXml());
        } catch (XmlInputException e) {
            throw new RestoreException(Kind.IO, "the VM definition in " + manifest.id()
                    + " does not parse: " + e.getMessage(), e);
        }
    }

    private static void preflight(List<DiskMap> disks, ChunkSource source) throws StoreException {
        List<Digest> missing = new ArrayList<>();
        long count = 0;
        for (DiskMap d : disks) {
            for (int s = 0; s < d.slotCount(); s++) {
                Digest digest = d.digest(s);
                if (digest != null && !source.has(digest)) {
                    count++;
                    if (missing.size() < 3) {
                        missing.add(digest);
                    }
                }
            }
        }
        if (count > 0) {
            throw new RestoreException(Kind.NOT_FOUND, count + " chunk(s) of the restore point"
                    + " are neither in the store nor in the bucket (first: " + missing + "); nothing was started");
        }
    }

    private static void requireFree(LibvirtHost host, String name, String uuid) throws RestoreException {
        if (host.byName(name).isPresent()) {
            throw RestoreException.conflict("a VM named " + name + " exists already; choose another name");
        }
        if (uuid != null) {
            var other = host.byUuid(uuid);
            if (other.isPresent()) {
                throw RestoreException.conflict("VM " + other.get().name() + " has the original's UUID " + uuid
                        + "; recover with a new identity");
            }
        }
    }

    /**
     * The restore's rules ({@link DomainRemap}: disks not in the restore point removed, media not
     * available on the host ejected, new MACs for a new identity), with each restored disk on its
     * overlay backed by the export. What the rules changed is logged, with {@code hostPaths}, what
     * the start's remap of the VM's own host paths did.
     */
    private static void remap(DomainXml xml, InstantSession session, String uuid, Options o,
                              List<String> hostPaths) throws RestoreException {
        Map<String, Path> overlays = new LinkedHashMap<>();
        session.disks().forEach(d -> overlays.put(d.target(), Path.of(d.overlay())));
        DomainRemap.Result r = DomainRemap.apply(xml, session.vm(), uuid, o.newIdentity(), overlays, DiskFormat.QCOW2,
                o.networks(), LibvirtConnection.isLocal(session.libvirtUri()), null);
        if (o.vcpus() > 0) {
            xml.setVcpus(o.vcpus());
        }
        if (o.memoryBytes() > 0) {
            xml.setMemory(o.memoryBytes());
        }
        if (o.isolatedOn() != null) {
            xml.isolateOn(o.isolatedOn());
        }
        xml.dropNvramPath();
        for (InstantSession.Disk d : session.disks()) {
            xml.backWithNbd(d.target(), d.overlay(), d.target(), session.socket());
        }
        java.util.stream.Stream.concat(hostPaths.stream(), r.notes().stream())
                .forEach(n -> LOG.log(System.Logger.Level.INFO, "instant recovery " + session.id() + ": " + n));
    }

    private static boolean hasBackingChain(Domain domain, InstantSession.Disk disk) throws LibvirtException {
        DomainXml live = DomainXml.parse(domain.getXMLDesc(0));
        return live.disks().stream().anyMatch(d -> d.target().equals(disk.target()) && disk.overlay().equals(d.path()));
    }

    /**
     * Undoes a start that failed half-way: the VM it defined (only that one: a VM of the same name
     * someone else defined is not touched), the export, the session directory.
     */
    private void abandon(Domain defined, String uuid, InstantSession session) {
        try {
            if (defined != null && uuid.equals(defined.getUUIDString())) {
                if (defined.isActive() == 1) {
                    defined.destroy();
                }
                defined.undefine();
            }
        } catch (LibvirtException ignored) {
            // the error that made us abandon is the one to report
        }
        stopServing(session.id());
        store.deleteQuietly(session.id());
    }

    /** Stops every export this process serves; VMs still on them pause at their next read of one. */
    @Override
    public void close() {
        for (String id : exports.served()) {
            stopServing(id);
        }
        exports.close();
    }
}
