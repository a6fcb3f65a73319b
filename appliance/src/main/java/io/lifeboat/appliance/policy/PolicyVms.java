package io.lifeboat.appliance.policy;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointService;
import io.lifeboat.appliance.inventory.Inventory;
import io.lifeboat.appliance.inventory.LibvirtHosts;
import io.lifeboat.appliance.inventory.Vm;
import io.lifeboat.scheduler.policy.BackupPolicy;
import org.springframework.stereotype.Component;

/**
 * Which VMs a policy selects. Backups run on the default libvirt host, so that host's inventory
 * is what a backup run selects from (names, globs and tags). Retention also covers VMs that only
 * have restore points left (undefined since), matched by name and glob: their tags are gone.
 */
@Component
public class PolicyVms {

    private final Inventory inventory;
    private final LibvirtHosts hosts;
    private final RestorePointService restorePoints;

    public PolicyVms(Inventory inventory, LibvirtHosts hosts, RestorePointService restorePoints) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.restorePoints = restorePoints;
    }

    /** The selected VMs on the default host now, by name; an unreachable host is an InventoryException. */
    public List<Vm> toBackUp(BackupPolicy policy) {
        return inventory.list(hosts.defaultUri()).stream()
                .filter(vm -> policy.selection().matches(vm.name(), vm.tags()))
                .toList();
    }

    /** VM names whose restore points the policy's retention governs: selected now, or by name or glob. */
    public SortedSet<String> toPrune(BackupPolicy policy) {
        SortedSet<String> names = new TreeSet<>();
        toBackUp(policy).forEach(vm -> names.add(vm.name()));
        for (RestorePoint rp : restorePoints.list(null)) {
            if (policy.selection().matches(rp.vm(), Set.of())) {
                names.add(rp.vm());
            }
        }
        return names;
    }

    public String host() {
        return hosts.defaultUri();
    }
}
