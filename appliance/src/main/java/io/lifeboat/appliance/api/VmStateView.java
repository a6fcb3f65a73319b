package io.lifeboat.appliance.api;

import io.lifeboat.appliance.inventory.VmState;

/** What a start, shutdown, force off or snapshot revert answers: the VM and the state it is in now. */
public record VmStateView(String name, VmState state) {
}
