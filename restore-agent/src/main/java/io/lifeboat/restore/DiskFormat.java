package io.lifeboat.restore;

import java.util.Locale;

/** Image format of a restored disk file; the name is also libvirt's {@code <driver type>}. */
public enum DiskFormat {
    QCOW2("qcow2"),
    RAW("raw");

    private final String driverType;

    DiskFormat(String driverType) {
        this.driverType = driverType;
    }

    public String driverType() {
        return driverType;
    }

    /** File name extension, with the dot. */
    public String extension() {
        return "." + driverType;
    }

    /** {@code qcow2} or {@code raw}, any case. */
    public static DiskFormat parse(String text) throws RestoreException {
        for (DiskFormat f : values()) {
            if (f.driverType.equals(text == null ? null : text.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw RestoreException.badInput("unknown disk format '" + text + "': use qcow2 or raw");
    }
}
