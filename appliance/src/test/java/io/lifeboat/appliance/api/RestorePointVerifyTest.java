package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.appliance.config.ChunkStore;
import io.lifeboat.store.Store;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.index.ChunkLocation;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.RestorePointId;
import io.lifeboat.store.pack.PackFormat;
import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A restore point's {@code verified}: what the last store verify that covered it found. An
 * appliance of its own, since the test damages a pack and every other verify of a shared store
 * would then fail.
 */
class RestorePointVerifyTest extends RunningAppliance {

    @DynamicPropertySource
    static void ownAppliance(DynamicPropertyRegistry registry) {
        registry.add("logging.level.io.lifeboat.store.verify", () -> "INFO");
    }

    @Autowired
    ChunkStore chunkStore;

    @Autowired
    RestorePointRepository catalog;

    @TempDir
    Path dir;

    @Test
    void aVerifyMarksEachRestorePointItCoveredOkOrFailed() throws Exception {
        RestorePointId intact = CatalogedBackups.backUp(chunkStore, catalog, dir, "sound01");
        RestorePointId damaged = CatalogedBackups.backUp(chunkStore, catalog, dir, "damaged01");
        assertThat(verified(intact).path("state").asString()).isEqualTo("NONE");

        Instant beforeFirst = Instant.now();
        JsonNode first = verify();

        assertThat(first.path("state").asString()).as(first.toString()).isEqualTo("SUCCEEDED");
        for (RestorePointId id : new RestorePointId[] {intact, damaged}) {
            JsonNode v = verified(id);
            assertThat(v.path("state").asString()).isEqualTo("OK");
            assertThat(Instant.parse(v.path("time").asString())).isAfterOrEqualTo(beforeFirst.minusMillis(1))
                    .isBeforeOrEqualTo(Instant.parse(first.path("ended").asString()).plusMillis(1));
        }
        Instant firstOk = Instant.parse(verified(intact).path("time").asString());

        // A chunk only damaged01's restore point names: its name is in the data.
        Store store = chunkStore.get();
        DiskMap vda = store.manifest(damaged).disks().get(0);
        Digest victim = null;
        for (int s = 0; s < vda.slotCount() && victim == null; s++) {
            victim = vda.digest(s);
        }
        ChunkLocation loc = store.index().get(victim).orElseThrow();
        TestImages.flipByte(store.packs().packFile(loc.packId()),
                loc.offset() + PackFormat.FRAME_HEADER_SIZE + loc.storedLength() / 3);

        JsonNode second = verify();

        assertThat(second.path("state").asString()).as(second.toString()).isEqualTo("FAILED");
        assertThat(second.path("error").asString()).contains(damaged.toString());
        JsonNode bad = verified(damaged);
        JsonNode good = verified(intact);
        assertThat(bad.path("state").asString()).isEqualTo("FAILED");
        assertThat(good.path("state").asString()).isEqualTo("OK");
        assertThat(Instant.parse(good.path("time").asString())).isAfter(firstOk);
        assertThat(bad.path("time").asString()).isEqualTo(good.path("time").asString());
        JsonNode listed = admin().get("/api/restore-points?vm=damaged01").body().get(0);
        assertThat(listed.path("verified").path("state").asString()).isEqualTo("FAILED");
    }

    private JsonNode verified(RestorePointId id) throws Exception {
        return admin().get("/api/restore-points/" + id.vm() + "/" + id.timePart()).body().path("verified");
    }

    /** Runs a verify of the store and waits for it: the ended job. */
    private JsonNode verify() throws Exception {
        ApiClient.Reply started = admin().post("/api/store/verify");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        return StoreApiTest.ended(admin(), started.body().path("jobId").asString());
    }
}
