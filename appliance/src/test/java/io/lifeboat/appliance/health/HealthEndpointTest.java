package io.lifeboat.appliance.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.appliance.api.ApiClient;
import io.lifeboat.appliance.api.RunningAppliance;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The whole application on a random port with a fresh data directory, asked over real HTTP. */
class HealthEndpointTest extends RunningAppliance {

    @Test
    void healthIsUpAndReportsTheStore() throws Exception {
        ApiClient.Reply reply = admin().get("/actuator/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("status").asString()).isEqualTo("UP");
        JsonNode store = reply.body().path("components").path("store");
        assertThat(store.path("status").asString()).isEqualTo("UP");
        assertThat(store.path("details").path("path").asString()).isEqualTo(data.resolve("store").toString());
        assertThat(store.path("details").path("writable").asBoolean()).isTrue();
        assertThat(store.path("details").path("restorePoints").isNumber()).isTrue();
    }

    @Test
    void healthWithoutCredentialsSaysOnlyUpOrDown() throws Exception {
        ApiClient.Reply reply = anonymous().get("/actuator/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("status").asString()).isEqualTo("UP");
        assertThat(reply.body().has("components")).isFalse();
    }

    @Test
    void startupCreatedTheDataDirectoryTheStoreAndTheCatalog() {
        assertThat(data.resolve("store")).isDirectory();
        assertThat(data.resolve("store/lifeboat-store.json")).isRegularFile();
        assertThat(data.resolve("catalog.mv.db")).isRegularFile();
    }

    @Test
    void infoIsExposedToUsers() throws Exception {
        assertThat(admin().get("/actuator/info").status()).isEqualTo(200);
        assertThat(anonymous().get("/actuator/info").status()).isEqualTo(401);
    }
}
