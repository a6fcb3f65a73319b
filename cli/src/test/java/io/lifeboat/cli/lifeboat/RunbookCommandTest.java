package io.lifeboat.cli.lifeboat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.lifeboat.cli.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lifeboat runbook ...}: the API calls each verb makes; a check's problems as FILE:LINE:COLUMN. */
class RunbookCommandTest {
    @TempDir
    Path dir;

    @Test
    void eachVerbCallsItsEndpoint() throws Exception {
        Path file = Files.writeString(dir.resolve("shop.yaml"), "runbook: shop\ngroups: []\n");
        try (StubAppliance appliance = new StubAppliance("{\"name\":\"shop\",\"version\":2,\"valid\":true,"
                + "\"groups\":[{\"name\":\"db\",\"vms\":[{\"vm\":\"pg01\"}]}],\"runbook\":{\"groups\":[]}}")) {
            assertThat(appliance.lifeboat("runbook", "save", file.toString())).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "check", file.toString())).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "show", "shop")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "delete", "shop")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "save", dir.resolve("none.yaml").toString())).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(appliance.requests).containsExactly("POST /api/runbooks", "POST /api/runbooks/validate",
                    "GET /api/runbooks/shop", "DELETE /api/runbooks/shop");
        }
        try (StubAppliance appliance = new StubAppliance("{\"valid\":false,\"problems\":[{\"line\":2,\"column\":9,"
                + "\"message\":\"groups is empty\"}]}")) {
            assertThat(appliance.lifeboat("runbook", "check", file.toString())).isEqualTo(ExitCode.USAGE);
        }
    }

    @Test
    void runVerbsCallTheirEndpoints() throws Exception {
        try (StubAppliance appliance = new StubAppliance("{\"run\":\"3f1c0a2b\",\"runbook\":\"shop\",\"kind\":\"failback\","
                + "\"state\":\"RUNNING\",\"ready\":true,\"vms\":[]}")) {
            assertThat(appliance.lifeboat("runbook", "ready", "shop")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "run", "shop", "--kind", "failback", "--approve", "cutover"))
                    .isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "status", "3f1c0a2b")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "resume", "3f1c0a2b", "--approve", "web")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "cancel", "3f1c0a2b")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "cleanup", "3f1c0a2b")).isEqualTo(ExitCode.OK);
            assertThat(appliance.lifeboat("runbook", "run", "shop")).as("--kind is required").isEqualTo(ExitCode.USAGE);
            assertThat(appliance.requests).containsExactly("POST /api/runbooks/shop/readiness?kind=failover",
                    "POST /api/runbooks/shop/runs", "GET /api/runbook-runs/3f1c0a2b", "POST /api/runbook-runs/3f1c0a2b/resume",
                    "POST /api/runbook-runs/3f1c0a2b/cancel", "POST /api/runbook-runs/3f1c0a2b/cleanup");
            assertThat(appliance.bodies.get(1)).contains("\"kind\":\"failback\"", "\"approve\":[\"cutover\"]");
        }
        try (StubAppliance appliance = new StubAppliance("{\"ready\":false,\"vms\":[{\"vm\":\"pg01\",\"ready\":false,"
                + "\"items\":[{\"check\":\"point\",\"ok\":false,\"detail\":\"no restore point\"}]}]}")) {
            assertThat(appliance.lifeboat("runbook", "ready", "shop")).isEqualTo(ExitCode.FAILED);
        }
    }
}
