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

/** A store directory nobody can create: the appliance still starts, and its health says why it is down. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class UnwritableStoreHealthTest {

    static Path store;

    @DynamicPropertySource
    static void dirs(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("lifeboat-health");
        // No directory can be created under a regular file, not even by root.
        store = Files.writeString(data.resolve("not-a-directory"), "").resolve("store");
        registry.add("lifeboat.data-dir", data::toString);
        registry.add("lifeboat.store-dir", store::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void healthIsDownWithAReason() throws Exception {
        ActuatorClient.Reply reply = new ActuatorClient(port).get("/actuator/health");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body().path("status").asString()).isEqualTo("DOWN");
        JsonNode store = reply.body().path("components").path("store");
        assertThat(store.path("status").asString()).isEqualTo("DOWN");
        assertThat(store.path("details").path("path").asString()).isEqualTo(UnwritableStoreHealthTest.store.toString());
        assertThat(store.path("details").path("writable").asBoolean()).isFalse();
        assertThat(store.path("details").path("reason").asString()).isNotBlank();
    }
}
