package io.lifeboat.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The whole application on a random port with a fresh data directory, asked over real HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HealthEndpointTest {

    static Path data;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws IOException {
        data = Files.createTempDirectory("lifeboat-health").resolve("data");
        registry.add("lifeboat.data-dir", data::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void healthIsUpAndReportsTheStore() throws Exception {
        ActuatorClient.Reply reply = new ActuatorClient(port).get("/actuator/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("status").asString()).isEqualTo("UP");
        JsonNode store = reply.body().path("components").path("store");
        assertThat(store.path("status").asString()).isEqualTo("UP");
        assertThat(store.path("details").path("path").asString()).isEqualTo(data.resolve("store").toString());
        assertThat(store.path("details").path("writable").asBoolean()).isTrue();
    }

    @Test
    void startupCreatedTheDataAndStoreDirectories() {
        assertThat(data.resolve("store")).isDirectory();
    }

    @Test
    void infoIsExposed() throws Exception {
        assertThat(new ActuatorClient(port).get("/actuator/info").status()).isEqualTo(200);
    }
}
