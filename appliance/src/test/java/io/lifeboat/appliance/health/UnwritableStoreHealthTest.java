package io.lifeboat.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.lifeboat.appliance.TestDirectories;
import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.catalog.RestorePoint;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.store.manifest.Manifest;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
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
        Path data = TestDirectories.removedAtExit("lifeboat-health");
        // No directory can be created under a regular file, not even by root.
        store = Files.writeString(data.resolve("not-a-directory"), "").resolve("store");
        registry.add("lifeboat.data-dir", data::toString);
        registry.add("lifeboat.store-dir", store::toString);
        registry.add("lifeboat.admin-password", () -> "secret");
    }

    @LocalServerPort
    int port;

    @Test
    void healthIsDownWithAReason() throws Exception {
        ApiClient.Reply reply = new ApiClient(port, "admin", "secret").get("/actuator/health");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body().path("status").asString()).isEqualTo("DOWN");
        JsonNode store = reply.body().path("components").path("store");
        assertThat(store.path("status").asString()).isEqualTo("DOWN");
        assertThat(store.path("details").path("path").asString()).isEqualTo(UnwritableStoreHealthTest.store.toString());
        assertThat(store.path("details").path("writable").asBoolean()).isFalse();
        assertThat(store.path("details").path("reason").asString()).isNotBlank();
    }

    @Autowired
    RestorePointRepository catalog;

    @Test
    void deletingARestorePointAnswers503WithTheReason() throws Exception {
        RestorePointId id = RestorePointId.parse("web01/20260101T000000.000Z");
        catalog.insert(new RestorePoint(id, Manifest.Kind.FULL, null, Manifest.Consistency.OFFLINE, List.of(),
                0, 0, 0, 0, RestorePoint.Status.AVAILABLE, null));

        ApiClient.Reply reply = new ApiClient(port, "admin", "secret").delete("/api/restore-points/" + id);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body().path("detail").asString()).startsWith("the chunk store " + store + " is not available");
    }
}
