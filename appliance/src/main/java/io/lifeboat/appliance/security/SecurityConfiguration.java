package io.lifeboat.appliance.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Everything needs a user, HTTP Basic, except {@code /actuator/health} (load balancers and
 * container runtimes probe it without credentials; its details are shown only to users) and
 * {@code /error}. The API is stateless: no session, no cookie, hence no CSRF token either.
 */
@Configuration
public class SecurityConfiguration {

    /** Sent with every 401, so browsers (the Swagger UI) ask for credentials. */
    public static final String BASIC_CHALLENGE = "Basic realm=\"Lifeboat\"";

    @Bean
    SecurityFilterChain filterChain(HttpSecurity http, ProblemEntryPoint problems) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(basic -> basic.authenticationEntryPoint(problems))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }
}
