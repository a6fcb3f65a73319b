package io.lifeboat.restore;

import java.security.SecureRandom;
import java.util.Set;

/** Random MAC addresses with QEMU's prefix 52:54:00, for restored VMs that run beside their original. */
final class MacAddress {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MacAddress() {
    }

    /** A new address not in {@code taken}, which it is added to. */
    static String random(Set<String> taken) {
        while (true) {
            String mac = String.format("52:54:00:%02x:%02x:%02x", RANDOM.nextInt(256), RANDOM.nextInt(256), RANDOM.nextInt(256));
            if (taken.add(mac)) {
                return mac;
            }
        }
    }
}
