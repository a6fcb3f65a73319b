package io.lifeboat.appliance.api;

import io.lifeboat.appliance.dashboard.Dashboard;
import io.lifeboat.appliance.dashboard.DashboardView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/dashboard}: the console's front page in one call. */
@RestController
@Tag(name = "Dashboard")
class DashboardController {

    private final Dashboard dashboard;

    DashboardController(Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    @GetMapping("/api/dashboard")
    @Operation(summary = "Protection, jobs, store and failures at a glance",
            description = "`vms`: every VM of the default libvirt host (the one policies back up from). `protected`:"
                    + " some policy selects it (by name, glob or tag; paused policies count); `policy`: of those, the"
                    + " one with the shortest `rpoSeconds`, the recovery point objective read from its backup cron:"
                    + " the longest interval between two consecutive fire times among the next 50 (null if it fires"
                    + " fewer than twice more). `lastBackup`: the VM's most recent backup job (time = when it ended,"
                    + " else started, else was created), or null. `ageSeconds`: age of its newest available restore"
                    + " point, or null. `status`: NONE no policy; CRITICAL no restore point while protected, or"
                    + " ageSeconds > 2 x rpoSeconds; WARNING ageSeconds > rpoSeconds, or the last backup job FAILED"
                    + " while ageSeconds <= 2 x rpoSeconds; else OK. `replicationLagSeconds`: how much older the"
                    + " newest restore point in the bucket is than the newest local one (0: caught up), null without"
                    + " a replicated one. `jobs`: the running jobs (as GET /api/jobs/{id}) and how many are queued."
                    + " `store`: sums over the available restore points' catalog rows: logicalBytes (disk sizes"
                    + " backed up), newBytes (raw bytes of the chunks each backup added), storedBytes (what those"
                    + " took compressed), restorePoints (count); dedupRatio = logicalBytes / newBytes, compressionRatio"
                    + " = newBytes / storedBytes (null when the divisor is 0). `history`: the last 30 days (UTC),"
                    + " oldest first: restore points available at the end of each day (today: now) and the sum of"
                    + " their storedBytes. `failures`: jobs that ended FAILED in the last 24 h, latest first."
                    + " 503 when the default host cannot be reached.")
    DashboardView dashboard() {
        return dashboard.read();
    }
}
