package io.lifeboat.appliance.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.springframework.stereotype.Component;

/**
 * Which appliance this is, among those sharing a catalog: {@code <hostname>-<8 hex digits>}.
 * It is kept in {@code <data-dir>/node-id} (one line of UTF-8 text, written at the first start),
 * so it survives restarts — a restarted appliance recognises its own unfinished jobs — and two
 * appliances on one machine, each with its own data directory, still differ.
 */
@Component
public class ApplianceNode {

    static final String FILE = "node-id";

    private final String id;

    public ApplianceNode(LifeboatProperties properties, DataDirectories directoriesCreatedFirst) {
        this.id = readOrCreate(properties.dataDir().resolve(FILE));
    }

    public String id() {
        return id;
    }

    private static String readOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!existing.isEmpty()) {
                    return existing;
                }
            }
            String id = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            // An unwritable data directory does not stop the appliance (see DataDirectories); a
            // name derived from the directory is as stable, only less readable.
            return hostname() + "-" + Integer.toHexString(file.toAbsolutePath().toString().hashCode());
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "appliance";
        }
    }
}
