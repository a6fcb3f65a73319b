package io.lifeboat.testkit;

import java.util.stream.LongStream;

/**
 * Seeds for randomised property tests: each test case derives its inputs from one seed, so a
 * failure names the seed and replays exactly. {@code -Dlifeboat.test.seeds=N} runs more cases.
 */
public final class Seeds {
    private Seeds() {
    }

    public static LongStream seeds(int count) {
        int n = Integer.getInteger("lifeboat.test.seeds", count);
        return LongStream.range(0, n).map(i -> 0x9E3779B97F4A7C15L * (i + 1));
    }
}
