/**
 * What every Lifeboat command line shares ({@code lifeboat}, {@code lifeboat-store},
 * {@code restore-agent}): the one table of exit codes, the {@code --connect} option for a libvirt
 * host, the error and help conventions, and the size and progress formats they print. Depends on
 * no other Lifeboat module, so that each CLI can.
 */
package io.lifeboat.cli;
