package io.lifeboat.appliance.inventory;

import org.libvirt.DomainInfo.DomainState;

/** A VM's run state, libvirt's {@code virDomainState} without the prefixes. */
public enum VmState {
    RUNNING, BLOCKED, PAUSED, SHUTTING_DOWN, SHUT_OFF, CRASHED, SUSPENDED, UNKNOWN;

    static VmState of(DomainState state) {
        return switch (state) {
            case VIR_DOMAIN_RUNNING -> RUNNING;
            case VIR_DOMAIN_BLOCKED -> BLOCKED;
            case VIR_DOMAIN_PAUSED -> PAUSED;
            case VIR_DOMAIN_SHUTDOWN -> SHUTTING_DOWN;
            case VIR_DOMAIN_SHUTOFF -> SHUT_OFF;
            case VIR_DOMAIN_CRASHED -> CRASHED;
            case VIR_DOMAIN_PMSUSPENDED -> SUSPENDED;
            default -> UNKNOWN;
        };
    }

    /** Snapshot XML names the state as libvirt's lower-case words ({@code running}, {@code shutoff}, ...). */
    static VmState ofSnapshotWord(String word) {
        return switch (word) {
            case "running" -> RUNNING;
            case "blocked" -> BLOCKED;
            case "paused" -> PAUSED;
            case "shutdown" -> SHUTTING_DOWN;
            case "shutoff" -> SHUT_OFF;
            case "crashed" -> CRASHED;
            case "pmsuspended" -> SUSPENDED;
            default -> UNKNOWN;
        };
    }
}
