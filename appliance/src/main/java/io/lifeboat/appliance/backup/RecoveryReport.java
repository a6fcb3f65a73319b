package io.lifeboat.appliance.backup;

import java.util.List;

/**
 * What {@link BackupEngine#recover()} cleaned up after a crashed appliance.
 *
 * @param actions  one line per thing done ("ended backup job of web01", "deleted checkpoint ...")
 * @param failures one line per thing that could not be cleaned up
 */
public record RecoveryReport(List<String> actions, List<String> failures) {
    public RecoveryReport {
        actions = List.copyOf(actions);
        failures = List.copyOf(failures);
    }
}
