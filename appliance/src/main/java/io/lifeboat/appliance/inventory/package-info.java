/**
 * The VMs of the appliance's libvirt hosts as users see them: listing, state, start/stop,
 * tags, clones and snapshots, with libvirt's failures turned into errors a user can act on.
 */
package io.lifeboat.appliance.inventory;
