/**
 * Tests across the three command lines ({@code lifeboat}, {@code lifeboat-store},
 * {@code restore-agent}): that they share one exit-code table, one way to say a usage error and
 * one {@code --connect} option.
 */
package io.lifeboat.tests.cli;
