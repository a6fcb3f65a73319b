package io.lifeboat.store.chunk;

import io.lifeboat.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkGridTest {
    static LongStream seeds() {
        return Seeds.seeds(500);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void slotsTileTheDiskExactly(long seed) {
        Random r = new Random(seed);
        long size = r.nextInt(4) == 0 ? r.nextInt(1 << 16) : (r.nextLong() >>> 28);
        int log2 = 12 + r.nextInt(13);
        ChunkGrid g = new ChunkGrid(size, 1 << log2);
        long covered = 0;
        for (int s = 0; s < g.slotCount(); s++) {
            assertThat(g.slotOffset(s)).isEqualTo(covered);
            assertThat(g.slotLength(s)).isPositive().isLessThanOrEqualTo(g.chunkSize());
            if (s < g.slotCount() - 1) {
                assertThat(g.slotLength(s)).isEqualTo(g.chunkSize());
            }
            covered += g.slotLength(s);
            if (s > 4 && s < g.slotCount() - 4) {
                s = g.slotCount() - 4; // the middle of a big grid is all alike
                covered = g.slotOffset(s + 1);
            }
        }
        assertThat(covered).isEqualTo(size);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void slotRangeCoversEveryByteOfAnExtent(long seed) {
        Random r = new Random(seed);
        long size = 1 + (r.nextLong() >>> 30);
        long offset = r.nextLong() >>> 30;
        long length = 1 + (r.nextLong() >>> 38);
        ChunkGrid g = new ChunkGrid(size, 64 << 10);
        offset = offset % size;
        length = Math.min(length, size - offset);
        int first = g.slotAt(offset);
        int end = g.slotEnd(offset, length);
        assertThat(g.slotOffset(first)).isLessThanOrEqualTo(offset);
        assertThat(g.slotOffset(end - 1) + g.slotLength(end - 1)).isGreaterThanOrEqualTo(offset + length);
        assertThat(end).isLessThanOrEqualTo(g.slotCount());
    }

    @Test
    void rejectsChunkSizesThatAreNotPowersOfTwoOrOutOfRange() {
        assertThatThrownBy(() -> new ChunkGrid(1 << 20, 3000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ChunkGrid(1 << 20, 2048)).hasMessageContaining("between");
        assertThatThrownBy(() -> new ChunkGrid(1 << 20, 32 << 20)).hasMessageContaining("between");
        assertThatThrownBy(() -> new ChunkGrid(-1, 4096)).hasMessageContaining("negative");
    }
}
