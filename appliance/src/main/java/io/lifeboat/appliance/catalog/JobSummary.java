package io.lifeboat.appliance.catalog;

/**
 * What a SUCCEEDED backup job did, from its backup session's counts (the restore point's row holds
 * the same new and stored bytes).
 *
 * @param readBytes      bytes read from the VM's disks
 * @param newBytes       bytes of the chunks the backup added to the store, before compression
 * @param storedBytes    bytes those chunks take in the store (compressed)
 * @param durationMillis wall time of the backup
 */
public record JobSummary(long readBytes, long newBytes, long storedBytes, long durationMillis) {
}
