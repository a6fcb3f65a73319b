package io.lifeboat.appliance.security;

import java.time.Duration;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

/**
 * Gives each console session its lifetime without requests. The servlet container counts
 * {@code server.servlet.session.timeout} in whole minutes; this sets each new session's limit to
 * the second, so that {@code lifeboat.console.session-timeout} means what it says.
 */
public final class ConsoleSessions implements HttpSessionListener {

    private final Duration timeout;

    ConsoleSessions(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("lifeboat.console.session-timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void sessionCreated(HttpSessionEvent event) {
        event.getSession().setMaxInactiveInterval((int) Math.max(1, timeout.toSeconds()));
    }
}
