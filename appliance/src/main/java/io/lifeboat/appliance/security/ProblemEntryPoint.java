package io.lifeboat.appliance.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Hands authentication and authorisation failures, which happen in the security filters before
 * any controller, to Spring MVC's exception resolution, so that the web layer's problem handler
 * answers them in the same problem format as every other error.
 */
@Component
class ProblemEntryPoint implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final HandlerExceptionResolver resolver;

    ProblemEntryPoint(@Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        if (resolver.resolveException(request, response, null, e) == null) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, SecurityConfiguration.challengeFor(request));
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        }
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) {
        if (resolver.resolveException(request, response, null, e) == null) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        }
    }
}
