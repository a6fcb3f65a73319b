package io.lifeboat.store.index;

import io.lifeboat.store.chunk.Codec;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.pack.PackFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkIndexTest {
    @TempDir
    Path dir;

    static Digest d(int i) {
        byte[] b = {(byte) i, (byte) (i >> 8), 1};
        return Digest.of(b, 0, b.length);
    }

    static List<PackFormat.Entry> entries(int from, int to) {
        List<PackFormat.Entry> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new PackFormat.Entry(d(i), 8 + 100L * i, 1000 + i, 500 + i, i % 2 == 0 ? Codec.ZSTD : Codec.RAW));
        }
        return out;
    }

    static final String PACK_A = "a".repeat(64);
    static final String PACK_B = "b".repeat(64);

    @Test
    void indexedPacksSurviveReopen() throws Exception {
        try (ChunkIndex ix = ChunkIndex.open(dir, 8 << 20)) {
            ix.addPack(PACK_A, 12345, entries(0, 1000), 10);
        }
        try (ChunkIndex ix = ChunkIndex.open(dir, 8 << 20)) {
            ChunkLocation loc = ix.get(d(7)).orElseThrow();
            assertThat(loc).isEqualTo(new ChunkLocation(PACK_A, 708, 1007, 507, Codec.RAW, 10));
            assertThat(ix.get(d(5000))).isEmpty();
            assertThat(ix.pack(PACK_A).orElseThrow().chunkCount()).isEqualTo(1000);
            assertThat(ix.packs()).containsOnlyKeys(PACK_A);
        }
    }

    @Test
    void aChunkAlreadyIndexedKeepsItsFirstLocation() throws Exception {
        try (ChunkIndex ix = ChunkIndex.open(dir, 8 << 20)) {
            ix.addPack(PACK_A, 1, entries(0, 10), 10);
            ix.addPack(PACK_B, 1, entries(5, 15), 20);
            assertThat(ix.get(d(7)).orElseThrow().packId()).isEqualTo(PACK_A);
            assertThat(ix.get(d(12)).orElseThrow().packId()).isEqualTo(PACK_B);
        }
    }

    @Test
    void touchAndSweepFollowTheCutoff() throws Exception {
        try (ChunkIndex ix = ChunkIndex.open(dir, 8 << 20)) {
            ix.addPack(PACK_A, 1, entries(0, 3), 10);
            assertThat(ix.lookupAndTouch(d(0), 50, 60)).isPresent();   // a backup started at 50 uses chunk 0
            assertThat(ix.mark(d(1), 70)).isTrue();                      // a GC at 70 finds chunk 1 referenced
            assertThat(ix.mark(d(99), 70)).isFalse();
            assertThat(ix.removeIfStale(d(0), 55)).isFalse();
            assertThat(ix.removeIfStale(d(1), 55)).isFalse();
            assertThat(ix.removeIfStale(d(2), 55)).isTrue();
            assertThat(ix.get(d(2))).isEmpty();
            // a touch by a session that started before the last touch does not move it back
            assertThat(ix.lookupAndTouch(d(1), 40, 80).orElseThrow().touched()).isEqualTo(70);
        }
    }

    @Test
    void relocateOnlyMovesChunksStillInTheOldPack() throws Exception {
        try (ChunkIndex ix = ChunkIndex.open(dir, 8 << 20)) {
            ix.addPack(PACK_A, 1, entries(0, 2), 10);
            PackFormat.Entry moved = new PackFormat.Entry(d(0), 4242, 1000, 500, Codec.ZSTD);
            ix.relocate(moved, PACK_A, PACK_B);
            ix.relocate(new PackFormat.Entry(d(1), 1, 1001, 501, Codec.RAW), PACK_B, PACK_A);
            assertThat(ix.get(d(0)).orElseThrow().packId()).isEqualTo(PACK_B);
            assertThat(ix.get(d(0)).orElseThrow().offset()).isEqualTo(4242);
            assertThat(ix.get(d(1)).orElseThrow().offset()).isEqualTo(108);
        }
    }
}
