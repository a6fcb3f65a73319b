/**
 * {@code lifeboat}: the appliance's command line, a client of its REST API (docs/api.md,
 * docs/lifeboat-cli.md) over {@code java.net.http}, with no Spring and no store of its own, so it
 * runs against a local or a remote appliance.
 */
package io.lifeboat.cli.lifeboat;
