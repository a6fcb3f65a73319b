package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.lifeboat.appliance.inventory.TestVms;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A policy firing every 3 seconds against two real (stopped, tiny) VMs: several backups each,
 * retention keep-last 2, then new data, so the first restore points are pruned and a GC shrinks
 * the store; verify passes; the metrics show it. A VM whose disk has gone fails, and the failure
 * reaches a webhook and an SMTP server (GreenMail) with the policy, the VM, the error and what to do.
 */
class PolicyScheduleTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final JsonMapper JSON_MAPPER = JsonMapper.builder().build();
    private static final BlockingQueue<String> WEBHOOK = new LinkedBlockingQueue<>();
    private static final HttpServer HOOK = hook();
    private static final GreenMail SMTP = smtp();

    private static HttpServer hook() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.createContext("/hook", exchange -> {
                WEBHOOK.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GreenMail smtp() {
        GreenMail g = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        g.start();
        return g;
    }

    @DynamicPropertySource
    static void notifications(DynamicPropertyRegistry registry) {
        registry.add("lifeboat.notify.webhook", () -> "http://127.0.0.1:" + HOOK.getAddress().getPort() + "/hook");
        registry.add("lifeboat.notify.mail-to", () -> "ops@example.com");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    }

    @AfterAll
    static void stopServers() {
        HOOK.stop(0);
        SMTP.stop();
    }

    private Path disk(String vm) {
        return dir.resolve(vm + "-vda.qcow2");
    }

    private String policy(String name, List<String> vms, String more) {
        return "{\"name\": \"" + name + "\", \"selection\": {\"names\": " + JSON_MAPPER.writeValueAsString(vms) + "},"
                + " \"cron\": \"*/3 * * * * ?\", \"timeZone\": \"UTC\", \"maxConcurrentPerHost\": 2,"
                + " \"maxConcurrentTotal\": 2" + more + "}";
    }

    private JsonNode awaitPolicy(String name, String what, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode p = admin().get("/api/policies/" + name).body();
            if (until.test(p)) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not reached within " + DEADLINE.toSeconds() + " s: " + p.toPrettyString());
            }
            Thread.sleep(200);
        }
    }

    private static List<JsonNode> runs(JsonNode policy, String kind, String outcome) {
        List<JsonNode> found = new ArrayList<>();
        policy.path("recentRuns").forEach(r -> {
            if (r.path("kind").asString().equals(kind) && r.path("outcome").asString().equals(outcome)) {
                found.add(r);
            }
        });
        return found;
    }

    private static boolean idle(JsonNode policy) {
        for (JsonNode r : policy.path("recentRuns")) {
            if (r.path("outcome").asString().equals("RUNNING") || r.path("outcome").asString().equals("MISFIRE_PENDING")) {
                return false;
            }
        }
        return true;
    }

    private double metric(String line) throws Exception {
        String text = admin().get("/actuator/prometheus").text();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(line + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aPolicyBacksUpTwoVmsRepeatedlyPrunesCollectsAndVerifies() throws Exception {
        String web = defineVm("polweb", 0);
        String db = defineVm("poldb", 0);
        TestVms.write(disk(web), 0x11, 0, 4 * TestVms.MIB);
        TestVms.write(disk(db), 0x22, 0, 4 * TestVms.MIB);

        ApiClient.Reply created = admin().post("/api/policies", JSON, policy("every3s", List.of(web, db),
                ", \"retention\": {\"keep-last\": 2}, \"gcCron\": \"0 0 3 * * ?\", \"verifyCron\": \"0 0 4 ? * SUN\""));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.body().path("warnings")).isEmpty();
        assertThat(created.body().path("nextFireTimes").path("backup")).hasSize(5);

        awaitPolicy("every3s", "three successful runs", p -> runs(p, "BACKUP", "SUCCEEDED").size() >= 3);
        assertThat(admin().post("/api/policies/every3s/pause").status()).isEqualTo(200);
        awaitPolicy("every3s", "the last run to end", PolicyScheduleTest::idle);
        // keep-last 2 has pruned the first backups already
        assertThat(admin().get("/api/restore-points?vm=" + web).body()).hasSize(2);

        // New data: once two backups hold it, the old data's restore points go, and its chunks with them.
        TestVms.write(disk(web), 0x33, 0, 4 * TestVms.MIB);
        TestVms.write(disk(db), 0x44, 0, 4 * TestVms.MIB);
        int before = runs(admin().get("/api/policies/every3s").body(), "BACKUP", "SUCCEEDED").size();
        assertThat(admin().post("/api/policies/every3s/resume").status()).isEqualTo(200);
        awaitPolicy("every3s", "two more runs", p -> runs(p, "BACKUP", "SUCCEEDED").size() >= before + 2);
        assertThat(admin().post("/api/policies/every3s/pause").status()).isEqualTo(200);
        awaitPolicy("every3s", "the last run to end", PolicyScheduleTest::idle);

        JsonNode preview = admin().get("/api/policies/every3s/prune-preview").body();
        assertThat(preview).hasSize(4);
        preview.forEach(e -> assertThat(e.path("reason").asString()).startsWith("keep-last ("));

        double sizeBefore = metric("lifeboat_store_size_bytes");
        assertThat(admin().post("/api/policies/every3s/run?kind=gc").status()).isEqualTo(202);
        JsonNode gc = awaitPolicy("every3s", "a GC run", p -> !runs(p, "GC", "SUCCEEDED").isEmpty());
        assertThat(runs(gc, "GC", "SUCCEEDED").get(0).path("detail").asString()).contains("GC removed");
        assertThat(metric("lifeboat_store_size_bytes")).isLessThan(sizeBefore);

        assertThat(admin().post("/api/policies/every3s/run?kind=verify").status()).isEqualTo(202);
        JsonNode verified = awaitPolicy("every3s", "a verify run", p -> !runs(p, "VERIFY", "SUCCEEDED").isEmpty()
                || !runs(p, "VERIFY", "FAILED").isEmpty());
        assertThat(runs(verified, "VERIFY", "SUCCEEDED")).hasSize(1);
        String verifyJob = runs(verified, "VERIFY", "SUCCEEDED").get(0).path("jobIds").get(0).asString();
        assertThat(admin().get("/api/jobs/" + verifyJob).body().path("state").asString()).isEqualTo("SUCCEEDED");

        for (String vm : List.of(web, db)) {
            assertThat(admin().get("/api/restore-points?vm=" + vm).body()).hasSize(2);
            assertThat(metric("lifeboat_backup_rpo_lag_seconds{vm=\"" + vm + "\"}")).isGreaterThanOrEqualTo(0);
        }
        assertThat(metric("lifeboat_job_duration_seconds_count{kind=\"BACKUP\",outcome=\"SUCCEEDED\"}"))
                .isGreaterThanOrEqualTo(10);
        assertThat(metric("lifeboat_store_compression_ratio")).isGreaterThan(1);
        assertThat(metric("lifeboat_store_dedup_ratio")).isGreaterThanOrEqualTo(1);
        assertThat(admin().delete("/api/policies/every3s").status()).isEqualTo(204);
    }

    @Test
    void aFailedBackupIsNotifiedByWebhookAndEmail() throws Exception {
        String gone = defineVm("polgone", 0);
        Files.delete(disk(gone));
        ApiClient.Reply created = admin().post("/api/policies", JSON, policy("failing", List.of(gone), ""));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        awaitPolicy("failing", "a failed run", p -> !runs(p, "BACKUP", "FAILED").isEmpty());
        assertThat(admin().post("/api/policies/failing/pause").status()).isEqualTo(200);

        String hook = WEBHOOK.poll(30, TimeUnit.SECONDS);
        assertThat(hook).as("webhook call").isNotNull();
        JsonNode body = JSON_MAPPER.readTree(hook);
        assertThat(body.path("policy").asString()).isEqualTo("failing");
        assertThat(body.path("vm").asString()).isEqualTo(gone);
        assertThat(body.path("what").asString()).isEqualTo("backup");
        assertThat(body.path("error").asString()).isNotBlank();
        assertThat(body.path("action").asString()).contains("POST /api/policies/failing/run");

        assertThat(SMTP.waitForIncomingEmail(30_000, 1)).isTrue();
        MimeMessage mail = SMTP.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        assertThat(mail.getSubject()).contains("Policy failing: backup of VM " + gone + " failed");
        assertThat((String) mail.getContent()).contains("Error: ").contains("What to do: ");
        awaitPolicy("failing", "the last run to end", PolicyScheduleTest::idle);
        assertThat(admin().delete("/api/policies/failing").status()).isEqualTo(204);
    }
}
