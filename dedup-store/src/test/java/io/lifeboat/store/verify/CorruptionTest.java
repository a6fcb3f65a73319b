package io.lifeboat.store.verify;

import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CorruptionTest {
    @TempDir
    Path dir;

    @Test
    void oneFlippedByteIsNamedByVerifyAndStopsRestoreOfEveryPointThatNeedsIt() throws Exception {
        Path a = TestImages.mixed(dir.resolve("a"), 4 << 20, 100_000, 1);
        Path a2 = dir.resolve("a2");
        Files.copy(a, a2);
        try (RandomAccessFile f = new RandomAccessFile(a2.toFile(), "rw")) {
            byte[] noise = new byte[65536];
            new Random(5).nextBytes(noise);
            f.seek(3 << 20);
            f.write(noise);
        }
        Path b = TestImages.mixed(dir.resolve("b"), 2 << 20, 70_000, 2);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest pa = StoreFixture.backup(store, "alpha", a);
            Manifest pa2 = StoreFixture.backup(store, "alpha", a2);
            Manifest pb = StoreFixture.backup(store, "beta", b);
            assertThat(new Verifier(store).run(Progress.none()).ok()).isTrue();

            // Damage the first data chunk of alpha's disk: both alpha points share it, beta does not.
            Digest victim = firstChunk(pa);
            assertThat(firstChunk(pa2)).isEqualTo(victim);
            ChunkLocation loc = store.index().get(victim).orElseThrow();
            flipByte(store.packs().packFile(loc.packId()), loc.offset() + PackFormat.FRAME_HEADER_SIZE + loc.storedLength() / 3);

            VerifyReport r = new Verifier(store).run(Progress.none());
            assertThat(r.ok()).isFalse();
            assertThat(r.badChunks()).singleElement().satisfies(c -> {
                assertThat(c.digest()).isEqualTo(victim.hex());
                assertThat(c.pack()).isEqualTo(loc.packId());
                assertThat(c.offset()).isEqualTo(loc.offset());
            });
            assertThat(r.affectedRestorePoints()).containsOnlyKeys(pa.id().toString(), pa2.id().toString());

            Path target = dir.resolve("restored");
            assertThatThrownBy(() -> StoreFixture.restore(store, pa, "vda", target))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(victim.hex())
                    .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.CORRUPT));
            assertThat(target).doesNotExist();
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial"));
            }
            assertThat(TestImages.sha256(StoreFixture.restore(store, pb, "vda", dir.resolve("b-out"))))
                    .isEqualTo(TestImages.sha256(b));
        }
    }

    @Test
    void aDeletedPackMakesVerifyNameEveryPointThatUsedIt() throws Exception {
        Path a = TestImages.mixed(dir.resolve("a"), 3 << 20, 100_000, 3);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest pa = StoreFixture.backup(store, "alpha", a);
            ChunkLocation loc = store.index().get(firstChunk(pa)).orElseThrow();
            Files.delete(store.packs().packFile(loc.packId()));
            VerifyReport r = new Verifier(store).run(Progress.none());
            assertThat(r.badPacks()).singleElement().asString().startsWith(loc.packId());
            assertThat(r.affectedRestorePoints()).containsOnlyKeys(pa.id().toString());
            assertThatThrownBy(() -> StoreFixture.restore(store, pa, "vda", dir.resolve("out")))
                    .isInstanceOf(StoreException.class);
            assertThat(dir.resolve("out")).doesNotExist();
        }
    }

    static Digest firstChunk(Manifest m) {
        for (int s = 0; ; s++) {
            Digest d = m.disk("vda").digest(s);
            if (d != null) {
                return d;
            }
        }
    }

    static void flipByte(Path file, long pos) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(pos);
            int v = f.read();
            f.seek(pos);
            f.write(v ^ 0x40);
        }
    }
}
