package io.lifeboat.appliance.security;

import java.io.IOException;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.stereotype.Component;

/**
 * Records console logins, failed logins and logouts in the audit log, then does what the form
 * login does anyway: back to the page that asked for a login, or to the login page with an error.
 * A failed login names the user name tried, never the password.
 */
@Component
class LoginAudit implements AuthenticationSuccessHandler, AuthenticationFailureHandler, LogoutHandler {

    private final AuditLog audit;
    private final SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
    private final SimpleUrlAuthenticationFailureHandler failure =
            new SimpleUrlAuthenticationFailureHandler(SecurityConfiguration.LOGIN_PAGE + "?error");

    LoginAudit(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response, Authentication auth)
            throws IOException, ServletException {
        audit.record(auth.getName(), "session.login", "console", AuditEntry.Outcome.SUCCEEDED, from(request));
        success.onAuthenticationSuccess(request, response, auth);
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException, ServletException {
        String user = request.getParameter("username");
        audit.record(user == null || user.isBlank() ? "-" : user, "session.login", "console", AuditEntry.Outcome.DENIED,
                e.getMessage() + "; " + from(request));
        failure.onAuthenticationFailure(request, response, e);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response, Authentication auth) {
        if (auth != null) {
            audit.record(auth.getName(), "session.logout", "console", AuditEntry.Outcome.SUCCEEDED, from(request));
        }
    }

    private static String from(HttpServletRequest request) {
        return "from " + request.getRemoteAddr();
    }
}
