package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/vms/{vm}/backups} and {@code /api/jobs}: backup jobs over HTTP, against the real libvirtd. */
class BackupApiTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Autowired
    AuditLog audit;

    @Test
    void backupOfARunningVmThenAnIncremental() throws Exception {
        String vm = defineVm("backup", TestVms.MIB);
        assertThat(admin().post("/api/vms/" + vm + "/start").status()).isEqualTo(200);

        ApiClient.Reply accepted = admin().post("/api/vms/" + vm + "/backups");

        assertThat(accepted.status()).isEqualTo(202);
        String jobId = accepted.body().path("jobId").asString();
        assertThat(jobId).hasSize(36);
        assertThat(accepted.location()).isEqualTo("/api/jobs/" + jobId);
        JsonNode job = awaitJob(jobId, DEADLINE);
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("kind").asString()).isEqualTo("BACKUP");
        assertThat(job.path("vm").asString()).isEqualTo(vm);
        assertThat(job.path("started").asString()).isNotBlank();
        assertThat(job.path("ended").asString()).isNotBlank();
        assertThat(job.path("phase").asString()).isNotBlank();
        String full = job.path("restorePoint").asString();
        assertThat(full).startsWith(vm + "/");

        JsonNode listed = admin().get("/api/restore-points?vm=" + vm).body();
        assertThat(listed.size()).isEqualTo(1);
        JsonNode rp = listed.get(0);
        assertThat(rp.path("id").asString()).isEqualTo(full);
        assertThat(rp.path("kind").asString()).isEqualTo("FULL");
        assertThat(rp.path("consistency").asString()).isEqualTo("CRASH");
        assertThat(rp.path("reason").asString()).as("why not APPLICATION").startsWith("crash-consistent: no guest agent channel");
        assertThat(rp.path("checkpoint").asString()).startsWith("lifeboat-");
        assertThat(rp.path("logicalBytes").asLong()).isEqualTo(64 * TestVms.MIB);
        assertThat(rp.path("newBytes").asLong()).isPositive();
        assertThat(rp.path("disks").get(0).path("name").asString()).isEqualTo("vda");

        JsonNode second = awaitJob(admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString(), DEADLINE);
        assertThat(second.path("state").asString()).as(second.toString()).isEqualTo("SUCCEEDED");
        JsonNode incremental = admin().get("/api/restore-points/" + second.path("restorePoint").asString()).body();
        assertThat(incremental.path("kind").asString()).isEqualTo("INCREMENTAL");
        assertThat(admin().get("/api/restore-points?vm=" + vm).body().size()).isEqualTo(2);

        List<AuditEntry> backups = audit.recent(50).stream()
                .filter(e -> e.action().equals("vm.backup") && e.target().equals(vm)).toList();
        assertThat(backups).hasSize(2).allSatisfy(e -> {
            assertThat(e.user()).isEqualTo("admin");
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });
        assertThat(backups.get(1).detail()).contains(jobId);
    }

    @Test
    void aSecondBackupWhileOneRunsIs409AndCancelEndsItWithoutARestorePoint() throws Exception {
        // 32 MiB at the test's read limit of 4 MiB/s: about 8 s, time enough to act mid-read.
        String vm = defineVm("cancel", 32 * TestVms.MIB);
        assertThat(admin().post("/api/vms/" + vm + "/start").status()).isEqualTo(200);
        String jobId = admin().post("/api/vms/" + vm + "/backups").body().path("jobId").asString();

        ApiClient.Reply again = admin().post("/api/vms/" + vm + "/backups");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.body().path("detail").asString()).contains("already running");

        JsonNode reading = awaitJob(jobId, DEADLINE, j -> j.path("phase").asString("").startsWith("backup")
                && j.path("bytesDone").asLong() > 0 || !j.path("ended").isNull());
        assertThat(reading.path("state").asString()).as(reading.toString()).isEqualTo("RUNNING");
        assertThat(reading.path("bytesTotal").asLong()).isPositive();

        ApiClient.Reply cancel = admin().post("/api/jobs/" + jobId + "/cancel");
        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.body().path("id").asString()).isEqualTo(jobId);

        JsonNode ended = awaitJob(jobId, DEADLINE);
        assertThat(ended.path("state").asString()).as(ended.toString()).isEqualTo("CANCELLED");
        assertThat(ended.path("error").asString()).contains("cancel");
        assertThat(ended.path("restorePoint").isNull()).isTrue();
        assertThat(admin().get("/api/restore-points?vm=" + vm).body().size()).isZero();

        ApiClient.Reply late = admin().post("/api/jobs/" + jobId + "/cancel");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.contentType()).startsWith("application/problem+json");
        assertThat(admin().post("/api/jobs/00000000-0000-0000-0000-000000000000/cancel").status()).isEqualTo(404);
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("job.cancel");
            assertThat(e.target()).isEqualTo(jobId);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCEEDED);
        });
    }

    @Test
    void backupsThatCannotStartAreRefusedAtOnce() throws Exception {
        ApiClient.Reply unknown = admin().post("/api/vms/lbtest-no-such-vm/backups");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");

        String diskless = vms.name("nodisk");
        assertThat(admin().post("/api/vms", XML, TestVms.domainXml(diskless, List.of(), false)).status()).isEqualTo(201);
        ApiClient.Reply noDisks = admin().post("/api/vms/" + diskless + "/backups");
        assertThat(noDisks.status()).isEqualTo(400);
        assertThat(noDisks.body().path("detail").asString()).contains("no disks");

        assertThat(admin().post("/api/vms/x/backups?host=" + SILENT_HOST_PARAM).status())
                .as("backups run on the default host only").isEqualTo(422);
        assertThat(audit.recent(20)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("vm.backup");
            assertThat(e.target()).isEqualTo(diskless);
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.FAILED);
        });
    }
}
