package io.lifeboat.appliance.security;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /login}: the console's login page. Asking for the CSRF token here is what makes the
 * security filters set the {@code XSRF-TOKEN} cookie the page's form copies into its post.
 */
@Controller
class LoginPage {

    @GetMapping(SecurityConfiguration.LOGIN_PAGE)
    String show(CsrfToken token) {
        token.getToken();
        return "forward:/login.html";
    }
}
