/**
 * The hypervisor boundary of Lifeboat: everything that talks to libvirt, QEMU or QEMU's tools
 * lives in the sub-packages of this module, and fails with a {@link io.lifeboat.kvm.KvmException}
 * the restore agent and the appliance translate into their own errors.
 */
package io.lifeboat.kvm;
