/**
 * {@code lifeboat-store}, the store's command line (picocli): init, backup, list, show, restore,
 * verify, delete, gc, replicate, mirror, verify-bucket, test-bucket. Its exit codes are the
 * table every Lifeboat command line shares.
 */
package io.lifeboat.store.cli;
