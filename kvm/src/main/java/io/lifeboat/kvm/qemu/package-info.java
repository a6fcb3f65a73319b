/**
 * QEMU's tools and monitor: {@link io.lifeboat.kvm.qemu.QemuImg} runs {@code qemu-img} with its
 * output in a file (never a pipe), stopped on an interrupt and within a time limit;
 * {@link io.lifeboat.kvm.qemu.QemuMonitor} sends human monitor commands through libvirt.
 */
package io.lifeboat.kvm.qemu;
