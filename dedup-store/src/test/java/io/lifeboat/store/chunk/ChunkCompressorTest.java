package io.lifeboat.store.chunk;

import io.lifeboat.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkCompressorTest {
    @Test
    void incompressibleDataIsStoredRaw() {
        byte[] noise = new byte[64 << 10];
        new Random(1).nextBytes(noise);
        try (ChunkCompressor c = new ChunkCompressor(3)) {
            ChunkCompressor.Encoded e = c.encode(noise, noise.length);
            assertThat(e.codec()).isEqualTo(Codec.RAW);
            assertThat(e.length()).isEqualTo(noise.length);
        }
    }

    @Test
    void repetitiveDataShrinks() {
        byte[] text = "0123456789abcdef".repeat(4096).getBytes();
        try (ChunkCompressor c = new ChunkCompressor(3)) {
            ChunkCompressor.Encoded e = c.encode(text, text.length);
            assertThat(e.codec()).isEqualTo(Codec.ZSTD);
            assertThat(e.length()).isLessThan(text.length / 20);
        }
    }

    static java.util.stream.LongStream seeds() {
        return Seeds.seeds(200);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void roundTrips(long seed) {
        Random r = new Random(seed);
        int len = 1 + r.nextInt(70000);
        int alphabet = r.nextInt(256);
        byte[] raw = new byte[len];
        for (int i = 0; i < len; i++) {
            raw[i] = (byte) (alphabet == 0 ? r.nextInt() : r.nextInt(alphabet + 1));
        }
        try (ChunkCompressor c = new ChunkCompressor(3)) {
            ChunkCompressor.Encoded e = c.encode(raw, len);
            byte[] stored = Arrays.copyOf(e.bytes(), e.length());
            byte[] back = new byte[len];
            c.decode(e.codec(), stored, stored.length, back, len);
            assertThat(back).isEqualTo(raw);
        }
    }
}
