package io.lifeboat.store.pack;

import io.lifeboat.store.chunk.Digest;

import java.util.regex.Pattern;

/** A pack's id: the hex SHA-256 of its footer (see {@link PackFormat}). */
public final class PackId {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private PackId() {
    }

    public static String of(byte[] footer) {
        return Digest.of(footer, 0, footer.length).hex();
    }

    public static boolean isValid(String id) {
        return HEX64.matcher(id).matches();
    }
}
