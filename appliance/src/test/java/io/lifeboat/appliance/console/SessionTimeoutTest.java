package io.lifeboat.appliance.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.lifeboat.appliance.api.RunningAppliance;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** A console session ends after its idle timeout; one in use does not. */
@TestPropertySource(properties = "lifeboat.console.session-timeout=3s")
class SessionTimeoutTest extends RunningAppliance {

    @Test
    void anIdleSessionExpiresAndAnActiveOneLasts() throws Exception {
        FormSession browser = new FormSession(port);
        browser.login("admin", ADMIN_PASSWORD, true);
        // used every second for longer than the timeout: still valid
        Instant until = Instant.now().plusSeconds(5);
        while (Instant.now().isBefore(until)) {
            assertThat(browser.get("/api/session").statusCode()).isEqualTo(200);
            Thread.sleep(1000); // the idle gap between a user's clicks; shorter than the timeout
        }
        // idle for longer than the timeout: the clock is the condition waited for
        Thread.sleep(Duration.ofSeconds(4).toMillis());
        assertThat(browser.get("/api/session", "X-Requested-With", "x").statusCode()).isEqualTo(401);
    }
}
