package io.lifeboat.restore.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.lifeboat.cli.Sizes;
import io.lifeboat.kvm.domain.DomainXml;
import io.lifeboat.restore.LibvirtHost;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.RestoreSource;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.libvirt.LibvirtException;
import org.libvirt.Network;

/**
 * Whether a runbook could run now, checked without starting anything: for each VM, that its
 * restore point is there and whole (every chunk present), that its target host answers and its
 * name is free there, that its storage has room for its disks and its host memory for it (summed
 * over the VMs that share them), and that its networks exist. A report, each item with its
 * reason.
 *
 * @param ready every item of every VM passed
 */
public record Readiness(String runbook, RunRecord.Kind kind, String checked, boolean ready, List<VmReadiness> vms) {

    /** One VM's checks. */
    public record VmReadiness(String vm, String group, String name, String target, String restorePoint,
                              Long rpoSeconds, boolean ready, List<Item> items) {
    }

    /** One check: restore-point, whole, target, name, storage, memory, networks, primary. */
    public record Item(String check, boolean ok, String detail) {
    }

    static Readiness check(Runbook rb, RunRecord.Kind kind, RestoreSource source, PointResolver points,
                           RunbookRunner.Site site) throws StoreException {
        Instant now = Instant.now();
        List<RestorePointId> all = source.list();
        Map<String, Long> diskNeeded = new HashMap<>();
        Map<String, Long> memoryNeeded = new HashMap<>();
        Map<String, Long> diskFree = new HashMap<>();
        Map<String, Long> memoryFree = new HashMap<>();
        Map<String, List<Item>> diskItems = new HashMap<>();
        Map<String, List<Item>> memoryItems = new HashMap<>();
        List<VmReadiness> out = new ArrayList<>();
        for (Runbook.Group g : rb.groups()) {
            for (Runbook.Vm vm : g.vms()) {
                List<Item> items = new ArrayList<>();
                String target = vm.target() != null ? vm.target() : site.defaultTarget();
                String name = kind == RunRecord.Kind.TEST ? vm.as() + "-test-xxxxxxxx" : vm.as();
                Optional<RestorePointId> point = points.resolve(vm, all);
                Manifest m = null;
                Long rpo = null;
                if (point.isEmpty()) {
                    items.add(new Item("restore-point", false, points.none(vm)));
                } else {
                    rpo = Duration.between(point.get().time(), now).toSeconds();
                    items.add(new Item("restore-point", true, point.get() + " (" + age(rpo) + " old)"));
                    try {
                        m = source.manifest(point.get());
                        int missing = source.missingChunks(m.disks()).size();
                        items.add(missing == 0 ? new Item("whole", true, "every chunk of its " + m.disks().size()
                                + " disk(s) is there")
                                : new Item("whole", false, missing + " chunk(s) of the restore point are missing"));
                    } catch (StoreException e) {
                        items.add(new Item("whole", false, e.getMessage()));
                    }
                }
                try (LibvirtHost host = LibvirtHost.connect(target)) {
                    items.add(new Item("target", true, target + " answers"));
                    if (kind == RunRecord.Kind.FAILOVER) {
                        items.add(host.byName(name).isPresent()
                                ? new Item("name", false, "a VM named " + name + " exists on " + target)
                                : new Item("name", true, name + " is free on " + target));
                    }
                    Path dir = kind == RunRecord.Kind.TEST ? site.runs() : directory(vm, host, site);
                    if (m != null) {
                        long need = allocated(m);
                        Path existing = existingAncestor(dir);
                        String key = target + " " + existing;
                        diskNeeded.merge(key, need, Long::sum);
                        diskFree.put(key, Files.getFileStore(existing).getUsableSpace());
                        Item storage = new Item("storage", true, Sizes.human(need) + " for its disks in " + dir);
                        items.add(storage);
                        diskItems.computeIfAbsent(key, k -> new ArrayList<>()).add(storage);
                        long memory = vm.memoryBytes() > 0 ? vm.memoryBytes() : memory(m.domainXml());
                        memoryNeeded.merge(target, memory, Long::sum);
                        memoryFree.put(target, host.connection().getFreeMemory());
                        Item mem = new Item("memory", true, Sizes.human(memory) + " of memory");
                        items.add(mem);
                        memoryItems.computeIfAbsent(target, k -> new ArrayList<>()).add(mem);
                        items.add(networks(kind, vm, m, host, target));
                    }
                } catch (RestoreException e) {
                    items.add(new Item("target", false, e.getMessage()));
                } catch (IOException | LibvirtException e) {
                    items.add(new Item("storage", false, e.getMessage()));
                }
                if (kind == RunRecord.Kind.FAILOVER) {
                    items.add(primary(rb.primary(), vm));
                }
                out.add(new VmReadiness(vm.vm(), g.name(), name, target, point.map(RestorePointId::toString).orElse(null),
                        rpo, false, items));
            }
        }
        // room and memory are summed over the VMs that share them: each of those VMs fails when the sum does not fit
        replaceShort(out, diskItems, diskNeeded, diskFree, "storage", "the VMs whose disks go there need");
        replaceShort(out, memoryItems, memoryNeeded, memoryFree, "memory", "the VMs on that host need");
        List<VmReadiness> done = out.stream().map(v -> new VmReadiness(v.vm(), v.group(), v.name(), v.target(),
                v.restorePoint(), v.rpoSeconds(), v.items().stream().allMatch(Item::ok), v.items())).toList();
        return new Readiness(rb.name(), kind, now.toString(), done.stream().allMatch(VmReadiness::ready), done);
    }

    private static void replaceShort(List<VmReadiness> vms, Map<String, List<Item>> items, Map<String, Long> needed,
                                     Map<String, Long> free, String check, String what) {
        Map<Item, Item> replace = new LinkedHashMap<>();
        needed.forEach((key, need) -> {
            long have = free.getOrDefault(key, 0L);
            if (need > have) {
                for (Item i : items.get(key)) {
                    replace.put(i, new Item(check, false, i.detail() + ", but " + what + " " + Sizes.human(need)
                            + " and " + Sizes.human(have) + " is free"));
                }
            }
        });
        for (VmReadiness v : vms) {
            v.items().replaceAll(i -> replace.getOrDefault(i, i));
        }
    }

    private static Item networks(RunRecord.Kind kind, Runbook.Vm vm, Manifest m, LibvirtHost host, String target)
            throws RestoreException {
        List<String> own = DomainXml.parse(m.domainXml()).networks();
        if (kind == RunRecord.Kind.TEST) {
            return new Item("networks", true, own.isEmpty() ? "no network interfaces"
                    : String.join(", ", own) + " replaced by the run's isolated network");
        }
        List<String> missing = new ArrayList<>();
        List<String> used = new ArrayList<>();
        for (String n : own) {
            String mapped = vm.networks().getOrDefault(n, n);
            used.add(mapped);
            try {
                Network net = host.connection().networkLookupByName(mapped);
                if (net.isActive() != 1) {
                    missing.add(mapped + " (not active)");
                }
            } catch (LibvirtException e) {
                missing.add(mapped);
            }
        }
        if (!missing.isEmpty()) {
            return new Item("networks", false, "not on " + target + ": " + String.join(", ", missing)
                    + (vm.networks().isEmpty() ? " (map them with networks:)" : ""));
        }
        return new Item("networks", true, used.isEmpty() ? "no network interfaces" : String.join(", ", used) + " present");
    }

    private static Item primary(Runbook.Primary primary, Runbook.Vm vm) {
        if (primary == null) {
            return new Item("primary", true, "no primary in the runbook: a failover cannot fence");
        }
        try (LibvirtHost host = LibvirtHost.connect(primary.target())) {
            Optional<LibvirtHost.ExistingVm> there = host.byName(vm.vm());
            String state = there.isEmpty() ? "not defined there" : there.get().running() ? "running there" : "shut off there";
            return new Item("primary", true, primary.target() + " answers; " + vm.vm() + " is " + state
                    + (there.isPresent() && there.get().running()
                    ? (primary.shutdown() ? " (a failover shuts it down first)" : " (a failover halts until it is off)") : ""));
        } catch (RestoreException e) {
            return new Item("primary", true, primary.target() + " does not answer (" + e.getMessage()
                    + "): a failover needs to be told the primary is lost");
        }
    }

    static Path directory(Runbook.Vm vm, LibvirtHost host, RunbookRunner.Site site) throws RestoreException {
        if (vm.pool() != null) {
            return host.poolDirectory(vm.pool());
        }
        return vm.directory() != null ? Path.of(vm.directory()) : site.images();
    }

    /** Upper bound of what the disks hold: every slot that is not a hole, at its whole chunk size. */
    static long allocated(Manifest m) {
        long bytes = 0;
        for (DiskMap d : m.disks()) {
            for (int s = 0; s < d.slotCount(); s++) {
                if (!d.isZero(s)) {
                    bytes += d.chunkSize();
                }
            }
        }
        return bytes;
    }

    static long memory(String domainXml) {
        var nodes = DomainXml.parse(domainXml).element().getElementsByTagName("memory");
        if (nodes.getLength() == 0) {
            return 0;
        }
        var e = (org.w3c.dom.Element) nodes.item(0);
        long value = Long.parseLong(e.getTextContent().strip());
        String unit = e.getAttribute("unit").isEmpty() ? "KiB" : e.getAttribute("unit");
        return switch (unit) {
            case "b", "bytes" -> value;
            case "KB" -> value * 1000;
            case "k", "KiB" -> value << 10;
            case "MB" -> value * 1000_000;
            case "M", "MiB" -> value << 20;
            case "GB" -> value * 1000_000_000;
            case "G", "GiB" -> value << 30;
            default -> value << 10;
        };
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of("/") : p;
    }

    static String age(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        } else if (seconds < 7200) {
            return seconds / 60 + " min";
        } else if (seconds < 172800) {
            return seconds / 3600 + " h";
        }
        return seconds / 86400 + " days";
    }
}
