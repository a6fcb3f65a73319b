package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.manifest.RestorePointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Restore points through HTTP, backed by the appliance's real chunk store and catalog. */
class RestorePointApiTest extends RunningAppliance {

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @Autowired
    AuditLog audit;

    @TempDir
    Path dir;

    /** Backs up a small sparse image of {@code vm} with the store API, then records it as the backup engine will. */
    private RestorePointId backUp(String vm) throws IOException {
        return CatalogedBackups.backUp(chunkStore, catalog, dir, vm);
    }

    private static String path(RestorePointId id) {
        return "/api/restore-points/" + id.vm() + "/" + id.timePart();
    }

    @Test
    void listAndShow() throws Exception {
        RestorePointId id = backUp("web01");

        ApiClient.Reply list = admin().get("/api/restore-points?vm=web01");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().size()).isEqualTo(1);
        assertThat(list.body().get(0).path("id").asString()).isEqualTo(id.toString());
        assertThat(admin().get("/api/restore-points").body().findValuesAsString("id")).contains(id.toString());

        ApiClient.Reply show = admin().get(path(id));
        assertThat(show.status()).isEqualTo(200);
        JsonNode rp = show.body();
        assertThat(rp.path("vm").asString()).isEqualTo("web01");
        assertThat(rp.path("time").asString()).isEqualTo(id.time().toString());
        assertThat(rp.path("kind").asString()).isEqualTo("FULL");
        assertThat(rp.path("consistency").asString()).isEqualTo("OFFLINE");
        assertThat(rp.path("checkpoint").asString()).isEqualTo("cp1");
        assertThat(rp.path("status").asString()).isEqualTo("AVAILABLE");
        assertThat(rp.path("logicalBytes").asLong()).isEqualTo(4L << 20);
        assertThat(rp.path("newBytes").asLong()).isEqualTo(2L * (256 << 10)); // 300 KiB of data touch two 256 KiB chunks
        assertThat(rp.path("storedBytes").asLong()).isPositive().isLessThan(rp.path("newBytes").asLong());
        assertThat(rp.path("durationMillis").asLong()).isEqualTo(1234);
        assertThat(rp.path("disks").get(0).path("name").asString()).isEqualTo("vda");
        assertThat(rp.path("disks").get(0).path("sizeBytes").asLong()).isEqualTo(4L << 20);
    }

    @Test
    void deleteRemovesItFromTheStoreMarksTheRowAndIsAudited() throws Exception {
        RestorePointId id = backUp("db01");

        ApiClient.Reply deleted = admin().delete(path(id));

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("status").asString()).isEqualTo("DELETED");
        assertThat(deleted.body().path("reason").asString()).contains("admin");
        assertThat(chunkStore.get().list()).doesNotContain(id);
        assertThat(admin().get("/api/restore-points?vm=db01").body().size()).isZero();
        assertThat(admin().get(path(id)).body().path("status").asString()).isEqualTo("DELETED");
        assertThat(audit.recent(10)).anySatisfy(e -> {
            assertThat(e.user()).isEqualTo("admin");
            assertThat(e.action()).isEqualTo("restore-point.delete");
            assertThat(e.target()).isEqualTo(id.toString());
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });

        ApiClient.Reply again = admin().delete(path(id));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
    }

    @Test
    void unknownRestorePointIs404Problem() throws Exception {
        ApiClient.Reply reply = admin().get("/api/restore-points/nosuchvm/20260101T000000.000Z");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("title").asString()).isEqualTo("Not Found");
        assertThat(reply.body().path("detail").asString()).isEqualTo("no restore point nosuchvm/20260101T000000.000Z");
        assertThat(reply.body().path("instance").asString()).isEqualTo("/api/restore-points/nosuchvm/20260101T000000.000Z");
        assertThat(admin().delete("/api/restore-points/nosuchvm/20260101T000000.000Z").status()).isEqualTo(404);
    }

    @Test
    void malformedIdIs400Problem() throws Exception {
        ApiClient.Reply reply = admin().get("/api/restore-points/web01/yesterday");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("detail").asString()).contains("bad time 'yesterday'");
        assertThat(admin().delete("/api/restore-points/web01/yesterday").status()).isEqualTo(400);
        assertThat(admin().get("/api/restore-points/-bad/20260101T000000.000Z").status()).isEqualTo(400);
        assertThat(admin().get("/api/restore-points?vm=-bad").status()).isEqualTo(400);
    }

    @Test
    void healthCountsTheStoresRestorePoints() throws Exception {
        backUp("counted01");

        JsonNode store = admin().get("/actuator/health").body().path("components").path("store");

        assertThat(store.path("details").path("restorePoints").asInt()).isEqualTo(chunkStore.get().list().size())
                .isPositive();
    }
}
