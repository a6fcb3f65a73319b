package io.lifeboat.store.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.StoreUsage;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** "Is this chunk readable" has one answer, {@link ChunkSource#has}: indexed, and its pack file there. */
class ChunkReadableTest {

    @TempDir
    Path dir;

    @Test
    void aChunkWhosePackFileIsGoneIsNotReadableAndOthersStillAre() throws Exception {
        Path a = TestImages.mixed(dir.resolve("a.img"), 1 << 20, 30_000, 7);
        Path b = TestImages.mixed(dir.resolve("b.img"), 1 << 20, 30_000, 8);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Digest first = dataDigest(StoreFixture.backup(store, "vm-a", a));
            Digest second = dataDigest(StoreFixture.backup(store, "vm-b", b));
            String firstPack = store.index().get(first).orElseThrow().packId();
            assertThat(store.index().get(second).orElseThrow().packId()).as("each backup sealed its own pack").isNotEqualTo(firstPack);
            assertThat(store.chunks().has(first)).isTrue();

            Files.delete(store.packs().packFile(firstPack));

            assertThat(store.chunks().has(first)).as("indexed, but its pack file is gone").isFalse();
            assertThat(store.chunks().has(second)).isTrue();
            assertThatThrownBy(() -> store.chunks().read(first)).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CORRUPT));
            assertThat(store.chunks().has(Digest.of(new byte[] {1, 2, 3}, 0, 3))).as("never stored").isFalse();
        }
    }

    @Test
    void usageCountsEveryReferenceOnceStoredOnce() throws Exception {
        Path a = TestImages.mixed(dir.resolve("a.img"), 1 << 20, 30_000, 9);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            StoreUsage empty = store.usage();
            assertThat(empty.packBytes()).isZero();
            assertThat(empty.dedupRatio()).isNaN();

            StoreFixture.backup(store, "vm-a", a);
            StoreUsage once = store.usage();
            StoreFixture.backup(store, "vm-b", a);
            StoreUsage twice = store.usage();

            assertThat(once.packBytes()).isPositive();
            assertThat(twice.distinctBytes()).as("the same disk again stores nothing new").isEqualTo(once.distinctBytes());
            assertThat(twice.storedBytes()).isEqualTo(once.storedBytes());
            assertThat(twice.referencedBytes()).isEqualTo(2 * once.referencedBytes());
            assertThat(twice.dedupRatio()).isEqualTo(2 * once.dedupRatio());
            assertThat(once.compressionRatio()).isEqualTo((double) once.distinctBytes() / once.storedBytes());
        }
    }

    private static Digest dataDigest(Manifest m) {
        DiskMap disk = m.disks().get(0);
        return disk.digest(StoreFixture.firstDataSlot(disk));
    }
}
