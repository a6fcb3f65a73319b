/**
 * Connections to libvirt daemons: {@link io.lifeboat.kvm.libvirt.LibvirtConnection} is the only
 * code that opens one (always with a connect timeout and libvirt's stderr reports silenced), and
 * {@link io.lifeboat.kvm.libvirt.ReconnectingConnection} keeps one per host alive for long-lived users.
 */
package io.lifeboat.kvm.libvirt;
