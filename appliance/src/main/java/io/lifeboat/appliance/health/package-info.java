/**
 * Actuator health: whether the chunk store's directory is there and this process can write to it.
 */
package io.lifeboat.appliance.health;
