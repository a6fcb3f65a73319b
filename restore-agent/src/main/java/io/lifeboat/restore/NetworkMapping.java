package io.lifeboat.restore;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which libvirt network each of the restored VM's {@code <interface type='network'>} moves to:
 * old name to new name. Networks not mentioned are kept.
 */
public record NetworkMapping(Map<String, String> byOldName) {
    // libvirt network names: no '/', no whitespace; '=' would make "old=new" ambiguous.
    private static final Pattern NAME = Pattern.compile("[^\\s/=]{1,255}");

    public NetworkMapping {
        byOldName = Collections.unmodifiableMap(new LinkedHashMap<>(byOldName));
    }

    public static NetworkMapping none() {
        return new NetworkMapping(Map.of());
    }

    /** Parses {@code old=new} pairs, each old network named once. */
    public static NetworkMapping parse(List<String> pairs) throws RestoreException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String from = eq < 0 ? "" : pair.substring(0, eq);
            String to = eq < 0 ? "" : pair.substring(eq + 1);
            if (!NAME.matcher(from).matches() || !NAME.matcher(to).matches()) {
                throw RestoreException.badInput("bad network mapping '" + pair + "': expected OLD=NEW, two network names");
            }
            if (map.put(from, to) != null) {
                throw RestoreException.badInput("network " + from + " is mapped twice");
            }
        }
        return new NetworkMapping(map);
    }

    public boolean isEmpty() {
        return byOldName.isEmpty();
    }
}
