/**
 * The REST API (Spring MVC, OpenAPI at {@code /v3/api-docs}): controllers and the views they
 * return. The only package that speaks HTTP: {@link io.lifeboat.appliance.api.ProblemHandler}
 * maps every failure the services report to a status and an RFC 9457 problem document. Nothing
 * outside this package uses its types.
 */
package io.lifeboat.appliance.api;
