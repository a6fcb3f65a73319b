package io.lifeboat.store.pack;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Codec;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.testkit.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackFormatTest {
    @TempDir
    Path dir;

    private record Written(List<PackWriter.SealedPack> packs, List<byte[]> chunks) {
    }

    private Written write(Path root, int chunks, long target, long seed) throws Exception {
        PackDirectory pd = new PackDirectory(root);
        pd.create();
        List<PackWriter.SealedPack> sealed = new ArrayList<>();
        PackWriter w = new PackWriter(pd, target, sealed::add);
        Random r = new Random(seed);
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            byte[] c = new byte[1 + r.nextInt(40000)];
            r.nextBytes(c);
            data.add(c);
            w.append(Digest.of(c, 0, c.length), Codec.RAW, c.length, c, c.length);
        }
        w.close();
        return new Written(sealed, data);
    }

    static java.util.stream.LongStream seeds() {
        return Seeds.seeds(30);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void framesAndFooterRoundTrip(long seed) throws Exception {
        int chunks = 1 + new Random(seed).nextInt(60);
        Path root = Files.createTempDirectory(dir, "p");
        Written w = write(root, chunks, 1 << 20, seed);
        int seen = 0;
        for (PackWriter.SealedPack p : w.packs()) {
            assertThat(p.file().getFileName().toString()).isEqualTo(p.id() + ".pack");
            assertThat(Files.size(p.file())).isEqualTo(p.size());
            try (PackReader r = new PackReader(p.id(), p.file())) {
                List<PackFormat.Entry> entries = r.entries();
                assertThat(entries).isEqualTo(p.entries());
                for (PackFormat.Entry e : entries) {
                    byte[] expected = w.chunks().get(seen++);
                    PackReader.Frame f = r.readFrame(e.offset(), e.digest(), e.storedLength());
                    assertThat(f.payload()).isEqualTo(expected);
                    assertThat(f.header().rawLength()).isEqualTo(expected.length);
                }
            }
        }
        assertThat(seen).isEqualTo(chunks);
        assertThat(Files.list(root.resolve(".tmp")).count()).isZero();
    }

    @Test
    void packsAreSealedAtTheTargetSizeAndNamedByContent() throws Exception {
        Written a = write(dir.resolve("a"), 100, 1 << 20, 7);
        Written b = write(dir.resolve("b"), 100, 1 << 20, 7);
        assertThat(a.packs()).hasSizeGreaterThan(1);
        assertThat(a.packs().stream().map(PackWriter.SealedPack::id))
                .containsExactlyElementsOf(b.packs().stream().map(PackWriter.SealedPack::id).toList());
    }

    @Test
    void aFlippedPayloadByteFailsTheChecksum() throws Exception {
        Written w = write(dir, 5, 1 << 30, 3);
        PackWriter.SealedPack p = w.packs().get(0);
        PackFormat.Entry e = p.entries().get(2);
        try (RandomAccessFile f = new RandomAccessFile(p.file().toFile(), "rw")) {
            long pos = e.offset() + PackFormat.FRAME_HEADER_SIZE + e.storedLength() / 2;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x01);
        }
        try (PackReader r = new PackReader(p.id(), p.file())) {
            assertThat(r.entries()).hasSize(5); // the footer is intact
            assertThatThrownBy(() -> r.readFrame(e.offset(), e.digest(), e.storedLength()))
                    .isInstanceOf(CorruptPackException.class)
                    .hasMessageContaining("checksum mismatch").hasMessageContaining(e.digest().hex());
            PackFormat.Entry other = p.entries().get(1);
            assertThat(r.readFrame(other.offset(), other.digest(), other.storedLength()).payload())
                    .isEqualTo(w.chunks().get(1));
        }
    }

    @Test
    void aTruncatedPackIsRejected() throws Exception {
        Written w = write(dir, 5, 1 << 30, 4);
        PackWriter.SealedPack p = w.packs().get(0);
        try (RandomAccessFile f = new RandomAccessFile(p.file().toFile(), "rw")) {
            f.setLength(p.size() - 10);
        }
        try (PackReader r = new PackReader(p.id(), p.file())) {
            assertThatThrownBy(r::entries).isInstanceOf(CorruptPackException.class).hasMessageContaining("trailer");
        }
    }

    @Test
    void aPackOfAnotherVersionIsRejected() throws Exception {
        Written w = write(dir, 1, 1 << 30, 5);
        PackWriter.SealedPack p = w.packs().get(0);
        try (RandomAccessFile f = new RandomAccessFile(p.file().toFile(), "rw")) {
            f.seek(4);
            f.writeShort(2);
        }
        try (PackReader r = new PackReader(p.id(), p.file())) {
            assertThatThrownBy(r::entries).isInstanceOf(StoreException.class).hasMessageContaining("version 2");
        }
    }
}
