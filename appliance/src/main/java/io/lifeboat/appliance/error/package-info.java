/**
 * The errors a user can cause, as the services of the appliance say them: {@link
 * io.lifeboat.appliance.error.ApplianceException} carries a kind (not found, conflict, bad
 * request, ...) and one clear message, and knows nothing of HTTP; the web layer alone maps the kind
 * to a status, so no service depends on the web layer.
 */
package io.lifeboat.appliance.error;
