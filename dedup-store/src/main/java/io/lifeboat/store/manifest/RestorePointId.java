package io.lifeboat.store.manifest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A restore point's name: {@code <vm>/<UTC time to the millisecond>}, for example
 * {@code web01/20261127T070102.123Z}. It is also the manifest's path below {@code manifests/}.
 */
public record RestorePointId(String vm, Instant time) implements Comparable<RestorePointId> {
    private static final Pattern VM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    public RestorePointId {
        validateVm(vm);
        time = time.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    public static void validateVm(String vm) {
        if (vm == null || !VM.matcher(vm).matches()) {
            throw new IllegalArgumentException("invalid VM name '" + vm
                    + "': use 1-128 letters, digits, '.', '_', '+' or '-', starting with a letter or digit");
        }
    }

    public static RestorePointId parse(String s) {
        int slash = s == null ? -1 : s.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid restore point id '" + s + "': expected VM/TIME, e.g. web01/20261127T070102.123Z");
        }
        try {
            return new RestorePointId(s.substring(0, slash), Instant.from(FORMAT.parse(s.substring(slash + 1))));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid restore point id '" + s + "': bad time '" + s.substring(slash + 1) + "'");
        }
    }

    public String timePart() {
        return FORMAT.format(time);
    }

    @Override
    public String toString() {
        return vm + "/" + timePart();
    }

    @Override
    public int compareTo(RestorePointId o) {
        int c = vm.compareTo(o.vm);
        return c != 0 ? c : time.compareTo(o.time);
    }
}
