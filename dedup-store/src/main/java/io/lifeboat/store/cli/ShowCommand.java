package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Store;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one restore point: metadata and per-disk chunk counts.")
final class ShowCommand extends StoreCli.Verb {
    @Parameters(paramLabel = "ID", description = "Restore point, e.g. web01/20261127T070102.123Z.")
    String id;

    @Override
    public Integer call() throws Exception {
        RestorePointId rp = RestorePointId.parse(id);
        try (Store store = open()) {
            Manifest m = store.manifest(rp);
            Map<String, Object> out = ListCommand.summary(m);
            List<Map<String, Object>> disks = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            text.append("restore point ").append(m.id()).append('\n')
                    .append("  created      ").append(m.created()).append('\n')
                    .append("  kind         ").append(out.get("kind")).append('\n')
                    .append("  consistency  ").append(out.get("consistency")).append('\n');
            m.attributes().forEach((k, v) -> text.append("  ").append(String.format("%-12s ", k)).append(v).append('\n'));
            for (DiskMap d : m.disks()) {
                int zero = 0;
                for (int s = 0; s < d.slotCount(); s++) {
                    if (d.isZero(s)) {
                        zero++;
                    }
                }
                Map<String, Object> disk = new LinkedHashMap<>();
                disk.put("name", d.name());
                disk.put("size", d.size());
                disk.put("chunkSize", d.chunkSize());
                disk.put("slots", d.slotCount());
                disk.put("zeroSlots", zero);
                disks.add(disk);
                text.append(String.format("  disk %-8s %s, %d chunks of %s, %d zero%n", d.name(), Sizes.human(d.size()),
                        d.slotCount(), Sizes.human(d.chunkSize()), zero));
            }
            out.put("disks", disks);
            out.put("attributes", m.attributes());
            out.put("domainXml", m.domainXml());
            print(out, text.toString().stripTrailing());
        }
        return ExitCode.OK;
    }
}
