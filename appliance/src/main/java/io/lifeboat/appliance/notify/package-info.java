/**
 * Telling operators when something failed: e-mail for failed jobs and policy runs.
 */
package io.lifeboat.appliance.notify;
