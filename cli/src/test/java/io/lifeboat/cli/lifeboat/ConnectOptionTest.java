package io.lifeboat.cli.lifeboat;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.cli.ExitCode;


import org.junit.jupiter.api.Test;

/** {@code -c, --connect URI} becomes the API's {@code host=} query parameter, or the body's {@code uri}. */
class ConnectOptionTest {
    @Test
    void connectIsTheHostQueryParameter() throws Exception {
        try (StubAppliance appliance = new StubAppliance("[]")) {
            assertThat(lifeboat(appliance, "vms", "--connect", "qemu+ssh://kvm2/system")).isEqualTo(ExitCode.OK);
            assertThat(lifeboat(appliance, "vms", "-c", "qemu:///system")).isEqualTo(ExitCode.OK);
            assertThat(lifeboat(appliance, "vms")).isEqualTo(ExitCode.OK);
            assertThat(appliance.requests).containsExactly(
                    "GET /api/vms?host=qemu%2Bssh%3A%2F%2Fkvm2%2Fsystem",
                    "GET /api/vms?host=qemu%3A%2F%2F%2Fsystem",
                    "GET /api/vms");
        }
    }

    @Test
    void hostIsNoOptionAnyMore() throws Exception {
        try (StubAppliance appliance = new StubAppliance("[]")) {
            assertThat(lifeboat(appliance, "vms", "--host", "qemu:///system")).isEqualTo(ExitCode.USAGE);
            assertThat(appliance.requests).isEmpty();
        }
    }

    private static int lifeboat(StubAppliance appliance, String... args) {
        return appliance.lifeboat(args);
    }
}
