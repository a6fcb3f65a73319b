package io.lifeboat.appliance.security;

import java.time.Duration;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Two ways in, one set of routes.
 * <ul>
 * <li><b>Scripts</b> (the {@code lifeboat} CLI, curl, Prometheus) send HTTP Basic credentials with
 *     every request. Such a request is stateless: no session, no cookie, and so no CSRF token
 *     either (a browser never adds an {@code Authorization} header to another site's request on
 *     its own, because the console never makes it ask for Basic credentials).</li>
 * <li><b>The web console</b> logs in with a form and then holds a server-side session: its cookie
 *     is {@code HttpOnly}, {@code Secure} and {@code SameSite=Strict}, and the session ends after
 *     {@code lifeboat.console.session-timeout} without a request. Every request that changes
 *     something carries the CSRF token, which the console reads from the {@code XSRF-TOKEN}
 *     cookie (or {@code GET /api/session}) and sends as {@code X-XSRF-TOKEN}; a form post
 *     without it is refused with 403.</li>
 * </ul>
 * Everything needs a user except {@code /actuator/health} (load balancers and container runtimes
 * probe it; which component is down is shown only to users), {@code /error}, the login page and
 * the static files it uses. A page requested without a session redirects to the login page; an
 * API route answers 401.
 */
@Configuration
public class SecurityConfiguration {

    /** Sent with a 401 to scripts, so that they, and browsers opening an API URL, know to send Basic credentials. */
    public static final String BASIC_CHALLENGE = "Basic realm=\"Lifeboat\"";

    /**
     * Sent with a 401 to the console's own requests instead: a scheme a browser does not answer
     * with its Basic password dialog, naming where to log in.
     */
    public static final String CONSOLE_CHALLENGE = "FormLogin realm=\"Lifeboat\", action=\"/login\"";

    /** The header the console sets on each of its API requests. */
    public static final String CONSOLE_HEADER = "X-Requested-With";

    /** Where the form posts and where a request without a session is sent. */
    public static final String LOGIN_PAGE = "/login";

    private static final String[] PUBLIC = {
        "/actuator/health", "/actuator/health/**", "/error", LOGIN_PAGE, "/login.html",
        "/assets/login.js", "/assets/api.js", "/assets/console.css", "/assets/lifeboat.svg", "/favicon.ico",
    };

    /** The challenge for this request's 401: none a browser answers with a dialog when the console asked. */
    public static String challengeFor(HttpServletRequest request) {
        return request.getHeader(CONSOLE_HEADER) != null ? CONSOLE_CHALLENGE : BASIC_CHALLENGE;
    }

    /** Requests that authenticate themselves with HTTP Basic: the API for scripts, stateless. */
    @Bean
    @Order(1)
    SecurityFilterChain basicChain(HttpSecurity http, ProblemEntryPoint problems) throws Exception {
        RequestMatcher basic = request -> {
            String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
            return auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6);
        };
        return http
                .securityMatcher(basic)
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(b -> b.authenticationEntryPoint(problems))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .build();
    }

    /** Everything else: the console's form login and session, CSRF-protected. */
    @Bean
    @Order(2)
    SecurityFilterChain consoleChain(HttpSecurity http, ProblemEntryPoint problems, LoginAudit loginAudit,
                                     @Value("${server.servlet.session.cookie.secure:true}") boolean secureCookies)
            throws Exception {
        CookieCsrfTokenRepository tokens = CookieCsrfTokenRepository.withHttpOnlyFalse();
        tokens.setCookieCustomizer(cookie -> cookie.secure(secureCookies).sameSite("Strict").path("/"));
        LoginUrlAuthenticationEntryPoint toLogin = new LoginUrlAuthenticationEntryPoint(LOGIN_PAGE);
        RequestMatcher api = request -> {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            return path.startsWith("/api/") || path.startsWith("/v3/") || path.startsWith("/actuator/");
        };
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(PUBLIC).permitAll()
                        .anyRequest().authenticated())
                .formLogin(form -> form
                        .loginPage(LOGIN_PAGE)
                        .successHandler(loginAudit)
                        .failureHandler(loginAudit)
                        .permitAll())
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl(LOGIN_PAGE + "?logout")
                        .deleteCookies(SESSION_COOKIE).addLogoutHandler(loginAudit))
                .exceptionHandling(errors -> errors
                        .defaultAuthenticationEntryPointFor(problems, api)
                        .defaultAuthenticationEntryPointFor(toLogin, request -> true)
                        .accessDeniedHandler(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                // The token travels in a header the console copies from the cookie: it is not
                // rendered into pages, so the masking against BREACH is not needed.
                .csrf(csrf -> csrf.csrfTokenRepository(tokens)
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(CSRF_PROTECTED))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(r -> r.policy(
                                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
                .build();
    }

    /**
     * Which requests must carry the CSRF token: those that change something and either ride on a
     * session (what a forged cross-site request would borrow) or log in or out (so no other site
     * can log a browser into an account of its choosing). A request without a session has
     * nothing to forge: it goes on to authentication and gets its 401 like any anonymous call.
     */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    static final RequestMatcher CSRF_PROTECTED = request -> {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return request.getSession(false) != null || path.equals(LOGIN_PAGE) || path.equals("/logout");
    };

    /** The session cookie's name (server.servlet.session.cookie.name). */
    public static final String SESSION_COOKIE = "LIFEBOAT_SESSION";

    /**
     * The console loads scripts and styles from the appliance only and runs no inline script, so
     * markup that slipped into a page could not run. Swagger UI needs inline styles.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    /** How long a console session lasts without a request. */
    @Bean
    ConsoleSessions consoleSessions(@Value("${lifeboat.console.session-timeout:30m}") Duration timeout) {
        return new ConsoleSessions(timeout);
    }
}
