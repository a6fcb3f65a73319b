package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Store;
import io.lifeboat.store.manifest.CorruptManifestException;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List restore points. A restore point whose manifest is damaged is listed as DAMAGED and the exit code is 4.")
final class ListCommand extends StoreCli.Verb {
    @Option(names = "--vm", paramLabel = "NAME", description = "Only this VM's restore points.")
    String vm;

    @Override
    public Integer call() throws Exception {
        try (Store store = open()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int damaged = 0;
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-44s %-11s %-11s %6s %10s%n",
                    "RESTORE POINT", "KIND", "CONSISTENCY", "DISKS", "SIZE"));
            for (RestorePointId id : store.list()) {
                if (vm != null && !vm.equals(id.vm())) {
                    continue;
                }
                Manifest m;
                try {
                    m = store.manifest(id);
                } catch (CorruptManifestException e) {
                    // One damaged manifest must not hide the others: show it, and say so in the exit code.
                    damaged++;
                    rows.add(Map.of("id", id.toString(), "vm", id.vm(), "damaged", e.getMessage()));
                    text.append(String.format(Locale.ROOT, "%-44s DAMAGED: %s%n", id, e.getMessage()));
                    continue;
                }
                rows.add(summary(m));
                text.append(String.format(Locale.ROOT, "%-44s %-11s %-11s %6d %10s%n", id,
                        m.kind().name().toLowerCase(Locale.ROOT), m.consistency().name().toLowerCase(Locale.ROOT),
                        m.disks().size(), Sizes.human(m.logicalBytes())));
            }
            print(rows, rows.isEmpty() ? "no restore points" : text.toString().stripTrailing());
            if (damaged > 0) {
                System.err.println("lifeboat-store: " + damaged + " restore point(s) have a damaged manifest; run verify");
                return ExitCode.CORRUPT;
            }
        }
        return ExitCode.OK;
    }

    static Map<String, Object> summary(Manifest m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", m.id().toString());
        row.put("vm", m.vm());
        row.put("created", m.created().toString());
        row.put("kind", m.kind().name().toLowerCase(Locale.ROOT));
        row.put("consistency", m.consistency().name().toLowerCase(Locale.ROOT));
        row.put("parent", m.parent());
        List<Map<String, Object>> disks = new ArrayList<>();
        m.disks().forEach(d -> disks.add(Map.of("name", d.name(), "size", d.size(), "chunkSize", d.chunkSize())));
        row.put("disks", disks);
        row.put("logicalBytes", m.logicalBytes());
        return row;
    }
}
