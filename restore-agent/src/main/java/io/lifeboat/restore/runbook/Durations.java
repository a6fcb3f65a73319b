package io.lifeboat.restore.runbook;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as runbooks write them: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 500ms}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /** The duration, or an IllegalArgumentException that says how to write one. */
    public static Duration parse(String s) {
        Matcher m = PART.matcher(s == null ? "" : s);
        Duration d = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at == 0 || at != s.length()) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (90s, 5m, 1h30m)");
        }
        return d;
    }
}
