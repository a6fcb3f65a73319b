package io.lifeboat.restore.agent;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.store.manifest.CorruptManifestException;
import io.lifeboat.store.manifest.DiskMap;
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
        description = "List restore points with their disks and whether they carry a VM definition "
                + "(without one, only single disks can be restored).")
final class ListCommand extends RestoreAgent.Verb {
    @Option(names = "--vm", paramLabel = "NAME", description = "Only this VM's restore points.")
    String vm;

    @Override
    public Integer call() throws Exception {
        try (RestoreAgent.Source opened = open()) {
            RestoreSource source = opened.source();
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-44s %-6s %s%n", "RESTORE POINT", "VM DEF", "DISKS"));
            int damaged = 0;
            for (RestorePointId id : source.list()) {
                if (vm != null && !vm.equals(id.vm())) {
                    continue;
                }
                Manifest m;
                try {
                    m = source.manifest(id);
                } catch (CorruptManifestException e) {
                    damaged++;
                    rows.add(Map.of("id", id.toString(), "damaged", e.getMessage()));
                    text.append(String.format(Locale.ROOT, "%-44s DAMAGED: %s%n", id, e.getMessage()));
                    continue;
                }
                List<String> disks = m.disks().stream().map(d -> d.name() + " " + mib(d) + " MiB").toList();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", id.toString());
                row.put("vm", id.vm());
                row.put("created", m.created().toString());
                row.put("domainXml", !m.domainXml().isBlank());
                row.put("disks", m.disks().stream().map(d -> Map.of("name", d.name(), "size", d.size())).toList());
                rows.add(row);
                text.append(String.format(Locale.ROOT, "%-44s %-6s %s%n", id, m.domainXml().isBlank() ? "no" : "yes",
                        String.join(", ", disks)));
            }
            print(rows, rows.isEmpty() ? "no restore points" : text.toString().stripTrailing());
            if (damaged > 0) {
                System.err.println("restore-agent: " + damaged + " restore point(s) have a damaged manifest");
                return ExitCode.CORRUPT;
            }
        }
        return ExitCode.OK;
    }

    private static long mib(DiskMap d) {
        return (d.size() + (1 << 20) - 1) >> 20;
    }
}
