package io.lifeboat.restore.agent;

import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.Cancellation;
import io.lifeboat.restore.DiskFormat;
import io.lifeboat.restore.NetworkMapping;
import io.lifeboat.restore.RestoreMode;
import io.lifeboat.restore.RestorePlan;
import io.lifeboat.restore.RestoreRequest;
import io.lifeboat.restore.RestoreResult;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.restore.VmRestore;
import io.lifeboat.store.Progress;
import io.lifeboat.store.cli.ProgressBar;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {
                "Restore a restore point as a VM, or (with --disk) as disk images only.",
                "Disk files are written sparse as DIR/<name>-<disk>.<format>; the stored VM definition gets the new "
                        + "name, a new UUID and new MAC addresses (not over the original), the new disk paths and "
                        + "the network mapping, and is defined on --connect. Nothing is written if a chunk is "
                        + "missing, a target file or VM exists (without --overwrite), or a VM in the way is running.",
                "Ctrl-C cancels the restore and removes what it wrote, unless the disks are already moving into "
                        + "place: then the restore finishes first."})
final class RestoreCommand extends RestoreAgent.Verb {
    /** How long Ctrl-C waits for the restore to clean up or finish before the JVM exits anyway. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(60);

    @Parameters(index = "0", paramLabel = "RESTORE_POINT", description = "e.g. web01/20261127T070102.123Z")
    String id;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of the VM (default: the original's; for a clone <vm>-clone).")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory for the disk files.")
    Path dir;

    @Option(names = "--pool", paramLabel = "POOL",
            description = "A libvirt storage pool of type dir to put the disk files in, instead of --dir.")
    String pool;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "qcow2",
            description = "qcow2 or raw (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "new",
            description = "new: a VM from the restore point (default); clone: a second VM beside the original; "
                    + "over-original: replace the original's disks and definition (needs --overwrite, VM shut off).")
    String mode;

    @Option(names = "--overwrite",
            description = "Replace existing disk files, and an existing shut-off VM of the same name.")
    boolean overwrite;

    @Option(names = "--network", paramLabel = "OLD=NEW",
            description = "Move interfaces on libvirt network OLD to NEW; repeatable.")
    List<String> networks = new ArrayList<>();

    @Option(names = "--disk", paramLabel = "DISK",
            description = "Restore only this disk (e.g. vda) as an image, defining no VM; repeatable. "
                    + "With --mode over-original: replace only this disk of the original.")
    List<String> disks = new ArrayList<>();

    @Mixin
    ConnectOption connect;

    @Option(names = "--start", description = "Start the VM once defined.")
    boolean start;

    @Option(names = "--dry-run", description = "Check everything and show what would be done; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        RestoreRequest request = new RestoreRequest(RestorePointId.parse(id), connect.uriOr(RestoreRequest.DEFAULT_URI), mode(mode), name,
                DiskFormat.parse(format), dir, pool, NetworkMapping.parse(networks), disks, start, overwrite);
        long t0 = System.nanoTime();
        try (RestoreAgent.Source opened = open()) {
            VmRestore restore = new VmRestore(opened.source());
            if (dryRun) {
                RestorePlan plan = restore.plan(request);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("name", plan.name());
                out.put("uuid", plan.uuid());
                out.put("disks", strings(plan.diskFiles()));
                out.put("defines", plan.definesVm());
                out.put("replacesVm", plan.replacesVm());
                out.put("notes", plan.notes());
                out.put("domainXml", plan.domainXml());
                print(out, "would restore " + request.restorePoint() + " to " + plan.diskFiles().values()
                        + (plan.definesVm() ? " and " + (plan.replacesVm() ? "redefine" : "define") + " VM " + plan.name()
                        + " on " + request.uri() : "") + notes(plan.notes()));
                return ExitCode.OK;
            }
            Progress progress = new Progress();
            RestoreResult result;
            Cancellation cancel = Cancellation.ofCurrentThread();
            CountDownLatch over = new CountDownLatch(1);
            Thread hook = new Thread(() -> cancelOnInterrupt(cancel, over), "restore-cancel-on-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            try (ProgressBar ignored = showProgress() ? new ProgressBar(progress, System.err) : null) {
                result = restore.restore(request, progress, cancel);
            } finally {
                cancel.ended();
                over.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: it waits for this
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", request.restorePoint().toString());
            out.put("name", result.name());
            out.put("uuid", result.uuid());
            out.put("uri", result.uri());
            out.put("disks", strings(result.diskFiles()));
            out.put("defined", result.defined());
            out.put("started", result.started());
            out.put("macs", result.macs());
            out.put("notes", result.notes());
            out.put("seconds", secs);
            String vm = result.defined() ? "; VM " + result.name() + " " + (result.started() ? "defined and started" : "defined")
                    + " on " + result.uri() : "";
            print(out, String.format(Locale.ROOT, "restored %s to %s%s in %.1f s%s", request.restorePoint(),
                    result.diskFiles().values(), vm, secs, notes(result.notes())));
        }
        return ExitCode.OK;
    }

    /**
     * On Ctrl-C (SIGINT: the JVM runs its shutdown hooks) cancels the restore and lets the JVM exit
     * only once the restore has removed what it staged, or, past its point of no return, finished.
     */
    private static void cancelOnInterrupt(Cancellation cancel, CountDownLatch over) {
        System.err.println(cancel.request()
                ? "restore-agent: interrupted; cancelling the restore, removing what it wrote"
                : "restore-agent: interrupted; the restored disks are moving into place, the restore finishes first");
        try {
            over.await(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RestoreMode mode(String text) {
        return switch (text) {
            case "new" -> RestoreMode.NEW_VM;
            case "clone" -> RestoreMode.CLONE;
            case "over-original" -> RestoreMode.OVER_ORIGINAL;
            default -> throw new IllegalArgumentException("unknown mode '" + text + "': use new, clone or over-original");
        };
    }

    private static Map<String, String> strings(Map<String, Path> files) {
        Map<String, String> out = new LinkedHashMap<>();
        files.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    private static String notes(List<String> notes) {
        return notes.isEmpty() ? "" : "\nnote: " + String.join("\nnote: ", notes);
    }
}
