/**
 * libvirt block jobs and what they leave behind: a pull-mode backup job
 * ({@link io.lifeboat.kvm.blockjob.PullBackup}) and its checkpoints
 * ({@link io.lifeboat.kvm.blockjob.Checkpoints}), and the block copy that moves a running disk
 * onto a new image and pivots to it ({@link io.lifeboat.kvm.blockjob.BlockCopy}).
 */
package io.lifeboat.kvm.blockjob;
