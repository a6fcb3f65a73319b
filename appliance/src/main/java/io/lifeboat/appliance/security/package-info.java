/**
 * Authentication: users in the catalog, the first admin account, HTTP Basic over the REST API, and
 * problem documents for 401 and 403.
 */
package io.lifeboat.appliance.security;
