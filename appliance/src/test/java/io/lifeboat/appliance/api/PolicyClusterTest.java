package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appliances as their own processes on one PostgreSQL catalog (the server of
 * {@code scripts/host-setup.sh --postgres}, as for PostgresCatalogTest; a throwaway database):
 * <ul>
 * <li>restart: schedules persist across a kill -9, and a fire time missed while down is recorded
 *     and handled by the policy's misfire rule (RUN_ONCE_IF_IN_WINDOW runs once, SKIP skips);</li>
 * <li>cluster: two appliances fire every schedule once between them (counted in policy_runs), and
 *     when one is killed the other carries on.</li>
 * </ul>
 * The policies select no VM (the outcome is NO_VMS): what is under test is who fires what, when.
 */
class PolicyClusterTest {

    private static final String URL = env("LIFEBOAT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = env("LIFEBOAT_TEST_PG_USER", "lifeboat");
    private static final String PASSWORD = env("LIFEBOAT_TEST_PG_PASSWORD", "lifeboat");
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Duration OUTAGE = Duration.ofSeconds(7);
    private static final String JSON = "application/json";

    @TempDir
    Path dir;

    private String database;
    private String dbUrl;

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    private static Connection connect(String url) throws SQLException {
        try {
            return DriverManager.getConnection(url, USER, PASSWORD);
        } catch (SQLException e) {
            String why = "no PostgreSQL at " + url + " (" + e.getMessage() + "); run scripts/host-setup.sh --postgres";
            return "1".equals(System.getenv("LIFEBOAT_TEST_PG_REQUIRED")) ? fail(why, e) : abort(why);
        }
    }

    @BeforeEach
    void createDatabase() throws SQLException {
        database = "lifeboat_cluster_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = connect(URL); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        dbUrl = URL.substring(0, URL.lastIndexOf('/') + 1) + database;
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        try (Connection c = connect(URL); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private ApplianceProcess start(String name) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("spring.datasource.url", dbUrl);
        p.put("spring.datasource.username", USER);
        p.put("spring.datasource.password", PASSWORD);
        p.put("lifeboat.inventory.uris[0]", TestVms.URI);
        p.put("spring.quartz.properties.org.quartz.jobStore.misfireThreshold", "2000");
        p.put("spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval", "1000");
        return ApplianceProcess.start(dir.resolve(name), p);
    }

    private static String policy(String name, String cron, String misfire) {
        return "{\"name\": \"" + name + "\", \"selection\": {\"globs\": [\"lbtest-none-*\"]}, \"cron\": \"" + cron
                + "\", \"timeZone\": \"UTC\", \"misfire\": \"" + misfire + "\"}";
    }

    /** policy_runs rows of a policy: scheduled time → how many rows; plus outcomes and nodes seen. */
    private record Runs(Map<String, Integer> perFireTime, Map<String, Integer> outcomes, Map<String, Integer> nodes) {
        int total() {
            return perFireTime.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private Runs runs(String policy) throws SQLException {
        Map<String, Integer> per = new HashMap<>();
        Map<String, Integer> outcomes = new HashMap<>();
        Map<String, Integer> nodes = new HashMap<>();
        try (Connection c = connect(dbUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT scheduled_at, outcome, node, cause FROM policy_runs WHERE policy = '"
                     + policy + "' AND cause <> 'RUN_NOW'")) {
            while (rs.next()) {
                per.merge(rs.getString("scheduled_at"), 1, Integer::sum);
                outcomes.merge(rs.getString("outcome"), 1, Integer::sum);
                nodes.merge(rs.getString("node"), 1, Integer::sum);
            }
        }
        return new Runs(per, outcomes, nodes);
    }

    private Runs await(String policy, String what, Predicate<Runs> until) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Runs r = runs(policy);
            if (until.test(r)) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not reached within " + DEADLINE.toSeconds() + " s: " + r + "; rows:"
                        + rows(policy));
            }
            Thread.sleep(200);
        }
    }

    @Test
    void schedulesSurviveAKillAndMissedFireTimesFollowTheMisfireRule() throws Exception {
        try (ApplianceProcess a = start("a")) {
            assertThat(a.admin().post("/api/policies", JSON, policy("catchup", "*/2 * * * * ?", "RUN_ONCE_IF_IN_WINDOW")).status())
                    .isEqualTo(201);
            assertThat(a.admin().post("/api/policies", JSON, policy("skipper", "*/2 * * * * ?", "SKIP")).status())
                    .isEqualTo(201);
            await("catchup", "two firings", r -> r.total() >= 2);
            a.kill();
        }
        java.time.Instant killed = java.time.Instant.now();
        int catchupBefore = runs("catchup").total();
        int skipperBefore = runs("skipper").total();
        // The outage under test: longer than the misfire threshold (2 s) by several fire times, whatever the
        // start-up time of the next process (a fast start would otherwise fire every time within the threshold).
        Thread.sleep(Math.max(0, Duration.between(java.time.Instant.now(), killed.plus(OUTAGE)).toMillis()));
        try (ApplianceProcess a = start("a")) {
            java.time.Instant up = java.time.Instant.now(); // every fire time missed while down is before this
            assertThat(a.admin().get("/api/policies/catchup").body().path("nextFireTimes").path("backup")).hasSize(5);
            // Wait for the catch-up run to end (firings blocked behind it are misfires too, so counting rows is not enough)
            Runs catchup = await("catchup", "the missed fire time run once",
                    r -> r.total() > catchupBefore + 2 && finishedMisfireRuns("catchup") >= 1);
            // (a firing that waits behind a long run misfires too and gets its own catch-up later: not counted here)
            assertThat(misfiresBefore("catchup", "NO_VMS", up)).as("one catch-up run for the fire times missed; rows: %s",
                    rows("catchup")).isEqualTo(1);
            Runs skipper = await("skipper", "the missed fire time skipped", r -> r.outcomes().containsKey("SKIPPED_MISFIRE"));
            assertThat(misfires("skipper", "NO_VMS")).as("SKIP runs nothing for a missed fire time").isZero();
            assertThat(skipper.total()).isGreaterThan(skipperBefore);
            assertThat(catchup.perFireTime().values()).allMatch(n -> n == 1);
        }
    }

    private String nodeId(String appliance) throws java.io.IOException {
        return java.nio.file.Files.readString(dir.resolve(appliance).resolve("node-id")).strip();
    }

    private int finishedMisfireRuns(String policy) {
        try {
            return misfires(policy, "NO_VMS");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of a policy, oldest fire time first, for a failure message. */
    private String rows(String policy) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = connect(dbUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT scheduled_at, fired_at, cause, outcome, node FROM policy_runs WHERE policy = '"
                     + policy + "' ORDER BY scheduled_at")) {
            while (rs.next()) {
                out.append("\n  ").append(rs.getString(1)).append(" fired ").append(rs.getString(2)).append(' ')
                        .append(rs.getString(3)).append(' ').append(rs.getString(4)).append(' ').append(rs.getString(5));
            }
        }
        return out.toString();
    }

    private int misfiresBefore(String policy, String outcome, java.time.Instant before) throws SQLException {
        try (Connection c = connect(dbUrl); java.sql.PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM policy_runs"
                + " WHERE policy = ? AND cause = 'MISFIRE' AND outcome = ? AND scheduled_at < ?")) {
            s.setString(1, policy);
            s.setString(2, outcome);
            s.setObject(3, before.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private int misfires(String policy, String outcome) throws SQLException {
        try (Connection c = connect(dbUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM policy_runs WHERE policy = '" + policy
                     + "' AND cause = 'MISFIRE' AND outcome = '" + outcome + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void twoAppliancesFireEachTimeOnceAndOneCarriesOnWhenTheOtherIsKilled() throws Exception {
        try (ApplianceProcess a = start("a"); ApplianceProcess b = start("b")) {
            assertThat(b.admin().post("/api/policies", JSON, policy("shared", "*/1 * * * * ?", "SKIP")).status())
                    .isEqualTo(201);
            Runs both = await("shared", "20 firings", r -> r.total() >= 20);
            assertThat(both.perFireTime().values()).as("each fire time once").allMatch(n -> n == 1);
            String nodeA = nodeId("a");
            String nodeB = nodeId("b");
            assertThat(both.nodes().keySet()).isSubsetOf(nodeA, nodeB);

            a.kill();
            int byBBefore = runs("shared").nodes().getOrDefault(nodeB, 0);
            Runs later = await("shared", "15 more firings by the survivor",
                    r -> r.nodes().getOrDefault(nodeB, 0) >= byBBefore + 15);
            assertThat(later.perFireTime().values()).as("each fire time once").allMatch(n -> n == 1);
        }
    }
}
