package io.lifeboat.store.manifest;

import io.lifeboat.store.chunk.Digest;
import io.lifeboat.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestFormatTest {
    static Manifest sample(long seed, long size, int chunkSize, int disks) {
        Random r = new Random(seed);
        List<DiskMap> maps = new java.util.ArrayList<>();
        for (int d = 0; d < disks; d++) {
            DiskMap m = new DiskMap("vd" + (char) ('a' + d), size, chunkSize);
            for (int s = 0; s < m.slotCount(); s++) {
                if (r.nextInt(3) > 0) {
                    byte[] b = new byte[8];
                    r.nextBytes(b);
                    m.set(s, Digest.of(b, 0, 8));
                }
            }
            maps.add(m);
        }
        return new Manifest(new RestorePointId("vm-" + seed, Instant.ofEpochMilli(1_700_000_000_000L + r.nextInt(1 << 30))),
                Instant.ofEpochMilli(1_700_000_000_123L), Manifest.Kind.INCREMENTAL, Manifest.Consistency.APPLICATION,
                "vm-" + seed + "/20231114T221320.000Z", "<domain type='qemu'><name>é</name></domain>",
                Map.of("checkpoint", "cp-" + seed, "reason", ""), maps);
    }

    static java.util.stream.LongStream seeds() {
        return Seeds.seeds(100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void roundTrips(long seed) throws Exception {
        Random r = new Random(seed);
        long size = r.nextInt(50_000_000);
        int disks = r.nextInt(4);
        Manifest m = sample(seed, size, 65536, disks);
        Manifest back = ManifestFormat.decode(ManifestFormat.encode(m), "test");
        assertThat(back).isEqualTo(m);
    }

    @Test
    void zeroRunsCostNoDigestSpace() {
        DiskMap empty = new DiskMap("vda", 64L << 30, 256 << 10);
        Manifest m = new Manifest(new RestorePointId("vm", Instant.EPOCH), Instant.EPOCH, Manifest.Kind.FULL,
                Manifest.Consistency.OFFLINE, "", "", Map.of(), List.of(empty));
        assertThat(ManifestFormat.encode(m).length).isLessThan(200);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void anyTruncationOrFlippedByteIsDetected(long seed) {
        int where = new Random(seed).nextInt(100_000);
        byte[] good = ManifestFormat.encode(sample(seed, 3_000_000, 65536, 2));
        int pos = where % good.length;
        byte[] flipped = good.clone();
        flipped[pos] ^= 0x10;
        assertThatThrownBy(() -> ManifestFormat.decode(flipped, "rp")).isInstanceOf(CorruptManifestException.class)
                .hasMessageContaining("manifest rp");
        byte[] truncated = Arrays.copyOf(good, pos);
        assertThatThrownBy(() -> ManifestFormat.decode(truncated, "rp")).isInstanceOf(CorruptManifestException.class);
    }

    @Test
    void anotherVersionIsNamed() {
        byte[] b = ManifestFormat.encode(sample(1, 1000, 65536, 1));
        b[5] = 2;
        assertThatThrownBy(() -> ManifestFormat.decode(b, "rp")).hasMessageContaining("version 2");
    }

    @Test
    void restorePointIdsParseAndRejectNonsense() {
        RestorePointId id = RestorePointId.parse("web01/20261127T070102.123Z");
        assertThat(id.vm()).isEqualTo("web01");
        assertThat(id.toString()).isEqualTo("web01/20261127T070102.123Z");
        assertThatThrownBy(() -> RestorePointId.parse("web01")).hasMessageContaining("expected VM/TIME");
        assertThatThrownBy(() -> RestorePointId.parse("../etc/20261127T070102.123Z")).hasMessageContaining("invalid VM name");
        assertThatThrownBy(() -> RestorePointId.parse("web01/yesterday")).hasMessageContaining("bad time");
    }
}
