package io.lifeboat.restore;

import io.lifeboat.kvm.libvirt.LibvirtConnection;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.restore.instant.InstantRecovery;
import io.lifeboat.restore.instant.InstantSession;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreConfig;
import io.lifeboat.store.BackupSession;
import io.lifeboat.store.ingest.Ingester;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.replication.Replicator;
import io.lifeboat.store.replication.S3Settings;
import io.lifeboat.store.replication.S3Target;
import io.lifeboat.testkit.ConsoleCapture;
import io.lifeboat.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recovery site that has nothing but the bucket: restore points are listed from it, a full
 * restore and an instant recovery read their chunks from it through the on-disk cache, and both
 * give disks bit-exact with the source and a VM that runs. The source store is closed and deleted
 * before the recovery site starts, so nothing can come from it.
 */
class RestoreFromBucketTest {
    private static final String URI = "qemu:///system";
    private static final String BUCKET = "dr-site";
    private static final long MIB = 1 << 20;

    @TempDir
    static Path shared;
    static S3ProxyServer s3;
    static Path source;
    static String restorePoint;

    @TempDir
    Path dir;

    private final List<String> vms = new ArrayList<>();

    @BeforeAll
    static void replicatedRestorePoint() throws Exception {
        s3 = S3ProxyServer.start(shared.resolve("s3"), BUCKET);
        source = shared.resolve("web01-vda.raw");
        TestImages.run("qemu-img", "create", "-q", "-f", "raw", source.toString(), Long.toString(48 * MIB));
        TestImages.run("qemu-io", "-f", "raw", source.toString(), "-c", "write -P 0x11 0 3M", "-c", "write -P 0x22 20M 2M");
        String xml = "<domain type='qemu'><name>web01</name><uuid>" + UUID.randomUUID() + "</uuid>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='/site-a/web01.raw'/><target dev='vda' bus='virtio'/><alias name='ua-vda'/></disk>"
                + "<memballoon model='none'/></devices></domain>";
        Path storeDir = shared.resolve("site-a");
        try (Store store = Store.init(storeDir, StoreConfig.defaults());
             S3Target target = new S3Target(S3Settings.of(s3.endpoint(), s3.region(), BUCKET, s3.accessKey(), s3.secretKey()).withMaxAttempts(3))) {
            try (BackupSession s = store.beginBackup("web01")) {
                Ingester.forThisMachine(store.config().zstdLevel()).ingestImage(s, "vda", source, Progress.none());
                restorePoint = s.commit(Manifest.Kind.FULL, Manifest.Consistency.OFFLINE, "", xml, Map.of()).id().toString();
            }
            assertThat(new Replicator(store, target).run(Progress.none()).ok()).isTrue();
        }
        try (var files = Files.walk(storeDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @AfterEach
    void removeVms() throws Exception {
        Connect libvirt = LibvirtConnection.open(URI);
        try {
            for (String vm : vms) {
                Domain d;
                try {
                    d = libvirt.domainLookupByName(vm);
                } catch (org.libvirt.LibvirtException gone) {
                    continue;
                }
                if (d.isActive() == 1) {
                    d.destroy();
                }
                d.undefine();
            }
        } finally {
            libvirt.close();
        }
    }

    private String vm(String role) {
        String name = "lbtest-bucket-" + role + "-" + UUID.randomUUID().toString().substring(0, 6);
        vms.add(name);
        return name;
    }

    private String[] bucketArgs(String... verb) {
        List<String> args = new ArrayList<>(List.of("--bucket", BUCKET, "--endpoint", s3.endpoint().toString(),
                "--access-key", S3ProxyServer.IDENTITY, "--secret-key", S3ProxyServer.CREDENTIAL,
                "--cache", dir.resolve("cache").toString(), "--cache-size", "8M"));
        args.addAll(List.of(verb));
        return args.toArray(String[]::new);
    }

    @Test
    void bucketSettingsCanComeFromTheAgentsConfigurationFile() throws Exception {
        Path config = Files.writeString(dir.resolve("restore-agent.properties"), String.join("\n",
                "bucket=" + BUCKET, "endpoint=" + s3.endpoint(), "access-key=" + S3ProxyServer.IDENTITY,
                "secret-key=" + S3ProxyServer.CREDENTIAL, "cache=" + dir.resolve("cache"), ""));
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new java.io.PrintStream(o, true, StandardCharsets.UTF_8));
            exit = RestoreAgent.run(config, "--json", "list");
        } finally {
            System.setOut(out);
        }
        assertThat(exit).isZero();
        assertThat(o.toString(StandardCharsets.UTF_8)).contains(restorePoint);
        assertThat(RestoreAgent.run(dir.resolve("missing.properties"), "list")).isEqualTo(2);
    }

    @Test
    void aFullRestoreFromTheBucketAloneIsBitExactAndRuns() throws Exception {
        String vm = vm("full");
        Path images = Files.createDirectories(dir.resolve("images"));
        assertThat(agent(bucketArgs("list"))).contains(restorePoint);
        agent(bucketArgs("restore", restorePoint, "--name", vm, "--dir", images.toString(), "--format", "qcow2", "--start"));

        Connect libvirt = LibvirtConnection.open(URI);
        try {
            Domain d = libvirt.domainLookupByName(vm);
            assertThat(d.getInfo().state).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
            d.destroy();
        } finally {
            libvirt.close();
        }
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source.toString(), images.resolve(vm + "-vda.qcow2").toString());
        assertThat(cacheBytes()).as("the cache stays within its budget").isLessThanOrEqualTo(8 * MIB);
    }

    @Test
    void anInstantRecoveryFromTheBucketAloneRunsAtOnceAndEndsBitExact() throws Exception {
        String vm = vm("instant");
        Path images = dir.resolve("images");
        agent(bucketArgs("--json", "instant", restorePoint, "--name", vm, "--dir", images.toString(),
                "--work", dir.resolve("ir").toString()));
        try (InstantRecovery sessions = new InstantRecovery(dir.resolve("ir"))) {
            assertThat(sessions.sessions()).singleElement().satisfies(s -> {
                assertThat(s.vm()).isEqualTo(vm);
                assertThat(s.state()).isEqualTo(InstantSession.State.PIVOTED);
            });
        }
        Connect libvirt = LibvirtConnection.open(URI);
        try {
            Domain d = libvirt.domainLookupByName(vm);
            assertThat(d.getInfo().state).isEqualTo(DomainInfo.DomainState.VIR_DOMAIN_RUNNING);
            assertThat(d.getXMLDesc(0)).doesNotContain("nbd");
            d.destroy();
        } finally {
            libvirt.close();
        }
        TestImages.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source.toString(), images.resolve(vm + "-vda.qcow2").toString());
    }

    /** Runs the agent in this JVM; its stdout, or an assertion error with both streams if it did not exit 0. */
    private static String agent(String... args) {
        ConsoleCapture.Run run = ConsoleCapture.run(() -> RestoreAgent.run(args));
        assertThat(run.exit()).as("restore-agent %s\n%s\n%s", String.join(" ", args), run.out(), run.err()).isZero();
        return run.out();
    }

    private long cacheBytes() throws IOException {
        try (var files = Files.walk(dir.resolve("cache").resolve("chunks"))) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
