package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.ingest.ImageFiles;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up raw or qcow2 disk image files (one restore point, one disk per image). "
                + "Holes in sparse raw images and unallocated qcow2 clusters are not read.")
final class BackupCommand extends StoreCli.Verb {
    @Option(names = "--vm", required = true, paramLabel = "NAME", description = "VM the restore point belongs to.")
    String vm;

    @Option(names = "--disk", paramLabel = "NAME", split = ",",
            description = "Disk names, one per image (default: vda, vdb, ...).")
    List<String> diskNames;

    @Option(names = "--domain-xml", paramLabel = "FILE",
            description = "The VM's libvirt domain XML, kept with the restore point so that restore-agent can define"
                    + " the VM (without it, only single disks can be restored).")
    Path domainXml;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Disk image files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (diskNames != null && diskNames.size() != images.size()) {
            throw new IllegalArgumentException("--disk names " + diskNames.size() + " disk(s) but " + images.size() + " image(s) were given");
        }
        io.lifeboat.store.manifest.RestorePointId.validateVm(vm);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageFiles.check(images.get(i));
            String name = diskNames != null ? diskNames.get(i) : "vd" + (char) ('a' + i);
            Manifest.validateDiskName(name);
            names.add(name);
        }
        String xml = domainXml == null ? "" : readDomainXml(domainXml);
        long t0 = System.nanoTime();
        Progress progress = new Progress();
        try (Store store = open()) {
            Map<String, Object> result = withProgress(progress, () -> backup(store, names, xml, progress, t0));
            print(result, String.format(java.util.Locale.ROOT,
                    "%s: %s logical, %s read, %d new chunks (%s stored), %d deduplicated, %d zero, in %.1f s",
                    result.get("id"), Sizes.human((long) result.get("logicalBytes")),
                    Sizes.human((long) result.get("readBytes")), result.get("newChunks"),
                    Sizes.human((long) result.get("newStoredBytes")), result.get("dedupChunks"),
                    result.get("zeroChunks"), (double) result.get("seconds")));
            return ExitCode.OK;
        }
    }

    private static String readDomainXml(Path file) {
        String xml;
        try {
            xml = java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read domain XML " + file + ": " + e.getMessage());
        }
        if (!xml.strip().startsWith("<domain")) {
            throw new IllegalArgumentException(file + " is not a libvirt domain XML (it does not start with <domain)");
        }
        return xml;
    }

    private Map<String, Object> backup(Store store, List<String> names, String xml, Progress progress, long t0)
            throws StoreException {
        Ingester ingester = Ingester.forThisMachine(store.config().zstdLevel());
        Map<String, String> attrs = new LinkedHashMap<>();
        try (BackupSession session = store.beginBackup(vm)) {
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                ingester.ingestImage(session, names.get(i), image, progress);
                attrs.put("source." + names.get(i), image.toAbsolutePath().toString());
            }
            Manifest m = session.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", xml, attrs);
            BackupSession.Stats st = session.stats();
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", m.id().toString());
            out.put("disks", names);
            out.put("logicalBytes", m.logicalBytes());
            out.put("readBytes", st.bytesRead.get());
            out.put("zeroChunks", st.zeroChunks.get());
            out.put("dedupChunks", st.dedupChunks.get());
            out.put("newChunks", st.newChunks.get());
            out.put("newRawBytes", st.newRawBytes.get());
            out.put("newStoredBytes", st.newStoredBytes.get());
            out.put("seconds", secs);
            return out;
        }
    }
}
