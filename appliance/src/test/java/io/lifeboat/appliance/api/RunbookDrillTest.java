package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpServer;
import io.lifeboat.appliance.inventory.TestVms;
import io.lifeboat.appliance.runbook.RunbookDrills;
import io.lifeboat.scheduler.policy.CronSchedule;
import io.lifeboat.scheduler.quartz.DrillTriggers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scheduled drills on the appliance's Quartz (JDBC job store): a runbook saved with a drill gets a
 * trigger firing at its cron's next time in its zone, changed with the runbook and gone when it is
 * deleted, and put back (or a stray one removed) by the reconcile at start. A firing, triggered now
 * through Quartz, starts a test run with the drill's time to live, which is cleaned up once that
 * has passed; a firing while that run still goes on is skipped, saying why; a drill whose run
 * halts reaches the failure webhook. A bad drill is refused at its line and schedules nothing.
 */
class RunbookDrillTest extends LibvirtAppliance {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String YAML = "application/yaml";
    private static final String GROUP = "runbook-drill";
    private static final BlockingQueue<String> WEBHOOK = new LinkedBlockingQueue<>();
    private static final HttpServer HOOK = hook();

    @Autowired
    Scheduler quartz;
    @Autowired
    DrillTriggers triggers;
    @Autowired
    RunbookDrills drills;

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

    @DynamicPropertySource
    static void notifications(DynamicPropertyRegistry registry) {
        registry.add("lifeboat.notify.webhook", () -> "http://127.0.0.1:" + HOOK.getAddress().getPort() + "/hook");
    }

    @AfterAll
    static void stopHook() {
        HOOK.stop(0);
    }

    @Test
    void aDrillIsScheduledFiresATestRunThatIsCleanedUpAfterItsTtlAndGoesWithItsRunbook() throws Exception {
        String vm = defineVm("drill", TestVms.MIB, 0x6d); // a pattern of its own: the store is shared
        backUp(vm);
        String name = "drill-" + vm.substring(vm.lastIndexOf('-') + 1);
        Path gate = dir.resolve("gate");
        String groups = "groups:\n  - name: g\n    vms:\n      - {vm: " + vm + ", point: newest, checks: [running:]}\n";
        String pre = "pre:\n  - run: [/bin/sh, -c, 'while [ ! -e " + gate + " ]; do sleep 0.1; done']\n    timeout: 2m\n";

        ApiClient.Reply refused = admin().post("/api/runbooks", YAML, "runbook: " + name
                + "\ndrill: {schedule: '0 15 4 ? * MON'}\n" + groups);
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.body().path("problems").get(0).path("line").asInt()).isEqualTo(2);
        assertThat(refused.body().path("problems").get(0).path("message").asString()).startsWith("ttl is required");
        assertThat(admin().get("/api/runbooks/" + name).status()).as("nothing stored").isEqualTo(404);
        assertThat(quartz.checkExists(TriggerKey.triggerKey(name, GROUP))).as("nothing scheduled").isFalse();

        String yaml = "runbook: " + name + "\ndrill: {schedule: '0 15 4 ? * MON', zone: Europe/Berlin, ttl: 20s}\n" + pre
                + groups;
        ApiClient.Reply saved = admin().post("/api/runbooks", YAML, yaml);
        assertThat(saved.status()).as(saved.text()).isEqualTo(201);
        Instant expected = new CronSchedule("0 15 4 ? * MON", ZoneId.of("Europe/Berlin")).nextFireTimes(1, Instant.now())
                .get(0).toInstant();
        Trigger trigger = quartz.getTrigger(TriggerKey.triggerKey(name, GROUP));
        assertThat(trigger).as("a trigger in Quartz's job store").isNotNull();
        assertThat(trigger.getNextFireTime().toInstant()).isEqualTo(expected);
        JsonNode drill = saved.body().path("drill");
        assertThat(drill.path("schedule").asString()).isEqualTo("0 15 4 ? * MON");
        assertThat(drill.path("zone").asString()).isEqualTo("Europe/Berlin");
        assertThat(drill.path("ttlSeconds").asLong()).isEqualTo(20);
        assertThat(Instant.parse(drill.path("nextFireTime").asString())).isEqualTo(expected);
        assertThat(drill.path("last").isNull()).as("never fired").isTrue();

        // Fired now through Quartz: a test run with the drill's time to live, held at its pre hook
        assertThat(admin().post("/api/runbooks/" + name + "/drill").status()).isEqualTo(202);
        JsonNode first = awaitRunbook(name, "the drill's run going on", r -> r.path("drill").path("last").path("run").isString()
                && r.path("drill").path("lastRunState").asString().equals("RUNNING")).path("drill").path("last");
        String id = first.path("run").asString();
        assertThat(first.path("cause").asString()).isEqualTo("RUN_NOW");
        assertThat(first.path("outcome").asString()).isEqualTo("STARTED");
        JsonNode run = admin().get("/api/runbook-runs/" + id).body();
        assertThat(run.path("kind").asString()).isEqualTo("test");
        Instant expires = Instant.parse(run.path("expires").asString());
        assertThat(Duration.between(Instant.parse(run.path("started").asString()), expires)).isEqualTo(Duration.ofSeconds(20));

        assertThat(admin().post("/api/runbooks/" + name + "/drill").status()).isEqualTo(202);
        JsonNode skipped = awaitRunbook(name, "the second firing skipped",
                r -> r.path("drill").path("last").path("outcome").asString().equals("SKIPPED")).path("drill").path("last");
        assertThat(skipped.path("detail").asString()).isEqualTo("run " + id + " of runbook " + name + " (test, started "
                + run.path("started").asString() + ") is still running");
        assertThat(skipped.path("run").isNull()).isTrue();

        Files.createFile(gate);
        JsonNode ran = awaitRun(id, "the drill's run done", r -> !r.path("state").asString().equals("RUNNING"));
        assertThat(ran.path("state").asString()).as(ran.toString()).isIn("DONE", "CLEANED");
        assertThat(ran.path("steps").findValuesAsString("outcome")).containsOnly("OK");
        JsonNode record = admin().get("/api/runbooks/" + name + "/drills").body();
        assertThat(record.size()).isEqualTo(2);
        assertThat(record.get(1).path("run").asString()).isEqualTo(id);
        assertThat(record.get(1).path("outcome").asString()).isEqualTo("DONE");

        JsonNode cleaned = awaitRun(id, "the drill's run cleaned up at its time to live",
                r -> r.path("state").asString().equals("CLEANED"));
        assertThat(Instant.now()).as("not before its time to live").isAfterOrEqualTo(expires);
        assertThat(cleaned.path("ended").isString()).isTrue();
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "list", "--all", "--name")).doesNotContain("-test-" + id);
        assertThat(TestVms.run("virsh", "-c", TestVms.URI, "net-list", "--all", "--name")).doesNotContain(id);

        // A new schedule replaces the trigger; a drill whose run halts is notified
        String halting = "runbook: " + name + "\ndrill:\n  schedule: 0 0 5 ? * TUE\n  ttl: 1h\npre:\n  - run: [/bin/false]\n"
                + groups;
        assertThat(admin().post("/api/runbooks", YAML, halting).status()).isEqualTo(201);
        assertThat(quartz.getTrigger(TriggerKey.triggerKey(name, GROUP)).getNextFireTime().toInstant()).isEqualTo(
                new CronSchedule("0 0 5 ? * TUE", ZoneOffset.UTC).nextFireTimes(1, Instant.now()).get(0).toInstant());
        triggers.runNow(name);
        String hook = WEBHOOK.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(hook).as("a failure notification").isNotNull();
        JsonNode failure = JsonMapper.builder().build().readTree(hook);
        assertThat(failure.path("summary").asString()).isEqualTo("Runbook " + name + ": drill failed");
        assertThat(failure.path("runbook").asString()).isEqualTo(name);
        assertThat(failure.path("what").asString()).isEqualTo("drill");
        assertThat(failure.path("error").asString()).contains("halted").endsWith("pre:1: /bin/false exited 1");
        JsonNode halted = admin().get("/api/runbooks/" + name).body().path("drill");
        assertThat(halted.path("last").path("outcome").asString()).isEqualTo("HALTED");
        assertThat(halted.path("last").path("cause").asString()).isEqualTo("RUN_NOW");
        assertThat(halted.path("lastRunState").asString()).isEqualTo("HALTED");
        String haltedRun = halted.path("last").path("run").asString();
        assertThat(failure.path("action").asString()).contains("/api/runbook-runs/" + haltedRun);
        assertThat(admin().post("/api/runbook-runs/" + haltedRun + "/cancel").status()).isEqualTo(200);

        // At start the triggers are made to match the runbooks
        quartz.deleteJob(org.quartz.JobKey.jobKey(name, GROUP));
        triggers.schedule("no-such-runbook", "0 0 1 * * ?", ZoneOffset.UTC);
        drills.reconcile();
        assertThat(triggers.scheduled()).contains(name).doesNotContain("no-such-runbook");

        assertThat(admin().delete("/api/runbooks/" + name).status()).isEqualTo(204);
        assertThat(quartz.checkExists(TriggerKey.triggerKey(name, GROUP))).as("the trigger goes with the runbook").isFalse();
        assertThat(triggers.scheduled()).doesNotContain(name);
        assertThat(admin().post("/api/runbooks/" + name + "/drill").status()).isEqualTo(404);
    }

    private JsonNode awaitRunbook(String name, String what, Predicate<JsonNode> until) throws Exception {
        return await("/api/runbooks/" + name, what, until);
    }

    private JsonNode awaitRun(String id, String what, Predicate<JsonNode> until) throws Exception {
        return await("/api/runbook-runs/" + id, what, until);
    }

    private JsonNode await(String path, String what, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode r = admin().get(path).body();
            if (until.test(r)) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not reached within " + DEADLINE.toSeconds() + " s: " + r);
            }
            Thread.sleep(200); // polling the API until the condition holds
        }
    }
}
