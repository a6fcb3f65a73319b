/**
 * The chunk store on local disk: {@link io.lifeboat.store.Store} opens it (one process, under a
 * flock on {@code lock}), repairs what a crash left, and is the entry to everything else: a
 * {@link io.lifeboat.store.BackupSession} from {@code beginBackup} writes a restore point, which
 * becomes visible only at commit; {@code chunks()} reads; {@code usage()} measures. The index,
 * pack directory, pack writer and manifest store it holds are the store's internals, for the
 * {@code io.lifeboat.store} packages only (an architecture test keeps other modules off them).
 */
package io.lifeboat.store;
