package io.lifeboat.cli;

import java.util.Locale;

/**
 * The one progress line every Lifeboat CLI draws on a terminal: phase, bar, percentage and bytes
 * done of total, starting with {@code \r} and padded so that it overwrites a longer line.
 */
public final class ProgressLine {
    private static final int WIDTH = 30;

    private ProgressLine() {
    }

    public static String of(String phase, long done, long total) {
        double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        return String.format(Locale.ROOT, "\r%-24.24s [%s%s] %3.0f%% %s/%s   ", phase, "#".repeat(filled),
                ".".repeat(WIDTH - filled), fraction * 100, Sizes.human(done), Sizes.human(total));
    }
}
