package io.lifeboat.appliance.api;

import java.util.List;

import io.lifeboat.appliance.security.ConsoleSessions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/session}: who is asking, and for the console, what its requests must carry. */
@RestController
@Tag(name = "Session")
class SessionController {

    private final ConsoleSessions sessions;

    SessionController(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    /**
     * @param csrf           the header and token a console request that changes something sends;
     *                       null for HTTP Basic requests, which need none
     * @param timeoutSeconds how long the console session lasts without a request; null without one
     */
    record Session(String user, List<String> roles, Csrf csrf, Long timeoutSeconds) {
    }

    record Csrf(String header, String token) {
    }

    @GetMapping("/api/session")
    @Operation(summary = "The current user and session",
            description = "The user name and roles. For a console session also the CSRF header and token that every"
                    + " POST, PUT, PATCH and DELETE must carry, and the session's idle timeout.")
    Session show(Authentication auth, HttpServletRequest request) {
        List<String> roles = auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .map(a -> a.startsWith("ROLE_") ? a.substring(5) : a).sorted().toList();
        HttpSession session = request.getSession(false);
        CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        Csrf csrf = session == null || token == null ? null : new Csrf(token.getHeaderName(), token.getToken());
        return new Session(auth.getName(), roles, csrf, session == null ? null : sessions.timeout().toSeconds());
    }
}
