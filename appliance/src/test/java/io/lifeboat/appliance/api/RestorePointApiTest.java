package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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

    private static final String JSON = "application/json";

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
        assertThat(rp.path("protected").asBoolean()).isFalse();
        assertThat(rp.path("notes").isNull()).isTrue();
        assertThat(rp.path("replicated").asBoolean()).as("no replication is configured").isFalse();
        assertThat(rp.path("verified").path("state").asString()).isEqualTo("NONE");
        assertThat(rp.path("verified").path("time").isNull()).isTrue();
    }

    @Test
    void aProtectedRestorePointCannotBeDeletedUntilUnprotected() throws Exception {
        RestorePointId id = backUp("guarded01");

        ApiClient.Reply patched = admin().patch(path(id), JSON, "{\"protected\": true, \"notes\": \"before the upgrade\"}");

        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.body().path("protected").asBoolean()).isTrue();
        assertThat(patched.body().path("notes").asString()).isEqualTo("before the upgrade");
        JsonNode listed = admin().get("/api/restore-points?vm=guarded01").body().get(0);
        assertThat(listed.path("protected").asBoolean()).isTrue();
        assertThat(listed.path("notes").asString()).isEqualTo("before the upgrade");
        assertThat(audit.recent(10)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("restore-point.update");
            assertThat(e.target()).isEqualTo(id.toString());
            assertThat(e.user()).isEqualTo("admin");
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
            assertThat(e.detail()).contains("protected=true");
        });

        ApiClient.Reply refused = admin().delete(path(id));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().path("detail").asString()).contains(id + " is protected");
        assertThat(chunkStore.get().list()).contains(id);
        assertThat(admin().get(path(id)).body().path("status").asString()).isEqualTo("AVAILABLE");
        assertThat(audit.recent(10)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("restore-point.delete");
            assertThat(e.target()).isEqualTo(id.toString());
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.FAILED);
        });

        // Only the field sent changes: the notes stay.
        JsonNode unprotected = admin().patch(path(id), JSON, "{\"protected\": false}").body();
        assertThat(unprotected.path("protected").asBoolean()).isFalse();
        assertThat(unprotected.path("notes").asString()).isEqualTo("before the upgrade");
        assertThat(admin().patch(path(id), JSON, "{\"notes\": null}").body().path("notes").isNull()).isTrue();
        assertThat(admin().delete(path(id)).status()).isEqualTo(200);
        ApiClient.Reply deleted = admin().patch(path(id), JSON, "{\"protected\": true}");
        assertThat(deleted.status()).isEqualTo(409);
        assertThat(deleted.body().path("detail").asString()).contains("is deleted");
    }

    @Test
    void aBadPatchIs400NamingTheFieldAndChangesNothing() throws Exception {
        RestorePointId id = backUp("patched01");
        admin().patch(path(id), JSON, "{\"notes\": \"kept\"}");

        ApiClient.Reply tooLong = admin().patch(path(id), JSON, "{\"protected\": true, \"notes\": \"" + "x".repeat(1025) + "\"}");
        ApiClient.Reply notBoolean = admin().patch(path(id), JSON, "{\"protected\": \"yes\"}");
        ApiClient.Reply unknown = admin().patch(path(id), JSON, "{\"status\": \"DELETED\"}");
        ApiClient.Reply notJson = admin().patch(path(id), JSON, "{protected");

        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.contentType()).startsWith("application/problem+json");
        assertThat(tooLong.body().path("detail").asString()).contains("notes").contains("1024");
        assertThat(notBoolean.status()).isEqualTo(400);
        assertThat(notBoolean.body().path("detail").asString()).contains("protected");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("detail").asString()).contains("status");
        assertThat(notJson.status()).isEqualTo(400);
        JsonNode rp = admin().get(path(id)).body();
        assertThat(rp.path("protected").asBoolean()).isFalse();
        assertThat(rp.path("notes").asString()).isEqualTo("kept");
        assertThat(admin().patch(path(id), JSON, "{\"notes\": \"" + "x".repeat(1024) + "\"}").status()).isEqualTo(200);
        assertThat(admin().patch("/api/restore-points/nosuchvm/20260101T000000.000Z", JSON, "{\"protected\": true}").status())
                .isEqualTo(404);
    }

    @Test
    void diffCountsTheChunksThatDifferPerDiskAndADiskInOnlyOneAsWhollyChanged() throws Exception {
        String vm = "diffed01";
        Path vda = CatalogedBackups.image(dir, vm);
        Path vdb = CatalogedBackups.image(dir, vm + "-b");
        RestorePointId first = CatalogedBackups.backUp(chunkStore, catalog, vm, Map.of("vda", vda, "vdb", vdb));
        // One chunk of vda rewritten, one zero chunk of it filled; vdb gone, vdc new.
        write(vda, 1L << 20, 0x11, 1000);
        write(vda, 3L << 20, 0x22, 256 << 10);
        Path vdc = CatalogedBackups.image(dir, vm + "-c");
        RestorePointId second = CatalogedBackups.backUp(chunkStore, catalog, vm, Map.of("vda", vda, "vdc", vdc));

        ApiClient.Reply reply = admin().get(path(first) + "/diff/" + second.timePart());

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode diff = reply.body();
        assertThat(diff.path("from").asString()).isEqualTo(first.toString());
        assertThat(diff.path("to").asString()).isEqualTo(second.toString());
        JsonNode disks = diff.path("disks");
        assertThat(disks.findValuesAsString("name")).containsExactly("vda", "vdc", "vdb");
        long chunk = 256 << 10;
        assertThat(disks.get(0).path("sizeBytes").asLong()).isEqualTo(4L << 20);
        assertThat(disks.get(0).path("chunks").asInt()).isEqualTo(16);
        assertThat(disks.get(0).path("changedChunks").asInt()).isEqualTo(2);
        assertThat(disks.get(0).path("changedBytes").asLong()).isEqualTo(2 * chunk);
        for (JsonNode whole : List.of(disks.get(1), disks.get(2))) {
            assertThat(whole.path("changedBytes").asLong()).isEqualTo(4L << 20);
            assertThat(whole.path("changedChunks").asInt()).isEqualTo(16);
        }
        assertThat(diff.path("changedBytes").asLong()).isEqualTo(2 * chunk + 2 * (4L << 20));

        JsonNode same = admin().get(path(second) + "/diff/" + second.timePart()).body();
        assertThat(same.path("changedBytes").asLong()).isZero();
        assertThat(same.path("disks").findValues("changedChunks")).hasSize(2).allSatisfy(n -> assertThat(n.asInt()).isZero());
    }

    @Test
    void diffOfAnUnknownOrDeletedRestorePointOrABadTimeIsAProblem() throws Exception {
        RestorePointId id = backUp("diffbad01");
        RestorePointId gone = backUp("diffbad01");
        admin().delete(path(gone));

        ApiClient.Reply unknown = admin().get(path(id) + "/diff/20260101T000000.000Z");
        ApiClient.Reply deleted = admin().get(path(id) + "/diff/" + gone.timePart());
        ApiClient.Reply malformed = admin().get(path(id) + "/diff/yesterday");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.body().path("detail").asString()).contains("diffbad01/20260101T000000.000Z");
        assertThat(deleted.status()).isEqualTo(409);
        assertThat(deleted.body().path("detail").asString()).contains(gone + " is deleted");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("detail").asString()).contains("bad time 'yesterday'");
    }

    /** Overwrites {@code length} bytes at {@code offset} of a raw image with {@code pattern}. */
    private static void write(Path image, long offset, int pattern, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            byte[] data = new byte[length];
            Arrays.fill(data, (byte) pattern);
            f.seek(offset);
            f.write(data);
        }
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
