package io.lifeboat.kvm.domain;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/** New MAC addresses for a copy of a VM, in QEMU's locally administered prefix 52:54:00. */
public final class Macs {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Macs() {
    }

    /** Random addresses, none of them in {@code taken} nor handed out twice. */
    public static Supplier<String> fresh(Collection<String> taken) {
        Set<String> used = new HashSet<>(taken);
        return () -> {
            while (true) {
                String mac = String.format("52:54:00:%02x:%02x:%02x", RANDOM.nextInt(256), RANDOM.nextInt(256), RANDOM.nextInt(256));
                if (used.add(mac)) {
                    return mac;
                }
            }
        };
    }
}
