package io.lifeboat.cli.lifeboat;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.cli.ExitCode;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class JobWatchTest {
    @Test
    void interruptWhileWaitingCancelsAndExits130() throws Exception {
        String id = "5f0c6a3e-0000-4000-8000-000000000001";
        // a job that nothing runs: it stays RUNNING until interrupted
        try (StubAppliance appliance = new StubAppliance("{\"id\":\"" + id + "\",\"state\":\"RUNNING\"}")) {
            ApplianceClient api = new ApplianceClient(appliance.uri(), "admin", "x");
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    outcome.set(new JobWatch(api, null).await(id));
                } catch (CommandFailure f) {
                    outcome.set(f);
                }
            });

            waiter.start();
            Thread.sleep(Duration.ofSeconds(1).toMillis()); // let it poll at least once
            waiter.interrupt();
            waiter.join(Duration.ofSeconds(20).toMillis());

            assertThat(outcome.get()).isInstanceOfSatisfying(CommandFailure.class,
                    f -> assertThat(f.exitCode()).isEqualTo(ExitCode.INTERRUPTED));
            assertThat(appliance.requests).contains("GET /api/jobs/" + id, "POST /api/jobs/" + id + "/cancel");
        }
    }
}
