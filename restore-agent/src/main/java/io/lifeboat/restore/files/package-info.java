/**
 * File-level restore: single files and directories of a restore point, read without restoring a
 * disk. The disks are served read-only over NBD and parsed by libguestfs' appliance (a small VM
 * driven by one {@code guestfish --listen} per session), never by the host kernel.
 */
package io.lifeboat.restore.files;
