/**
 * The appliance's configuration: its data directories (checked at start with a clear failure),
 * the one chunk store it opens, its node identity, and the {@code lifeboat.*} properties shared by
 * several packages.
 */
package io.lifeboat.appliance.config;
