package io.lifeboat.tests.guest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The appliance as an operator runs it: {@code java -jar appliance/target/appliance-*.jar}, built
 * by the reactor before this module, on a data directory of the test's, managing the local
 * libvirtd. Spoken to over its REST API with HTTP Basic; killed with SIGKILL and started again
 * on the same data directory when a test needs a crash.
 */
final class Appliance implements AutoCloseable {

    static final String PASSWORD = "e2e-admin-secret";
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: its status, its body as JSON (null if it had none or was not JSON) and as text. */
    record Reply(int status, JsonNode body, String text) {
    }

    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private int port;
    private int starts;

    private final List<String> settings;

    private Appliance(Path dataDir, List<String> settings) {
        this.dataDir = dataDir;
        this.settings = List.copyOf(settings);
    }

    static Appliance start(Path dataDir) throws IOException, InterruptedException {
        return start(dataDir, List.of());
    }

    /** With more settings on its command line ({@code --lifeboat.replication.bucket=…}). */
    static Appliance start(Path dataDir, List<String> settings) throws IOException, InterruptedException {
        Appliance a = new Appliance(dataDir, settings);
        a.startProcess();
        return a;
    }

    /** The repository's top directory (this module runs in {@code tests/}). */
    static Path top() {
        return Path.of("").toAbsolutePath().getParent();
    }

    private static Path jar() throws IOException {
        try (var files = Files.list(top().resolve("appliance/target"))) {
            return files.filter(p -> p.getFileName().toString().matches("appliance-.*\\.jar")
                            && !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no appliance jar in appliance/target: the reactor builds"
                            + " it before this module (mvn verify from the top)"));
        }
    }

    private void startProcess() throws IOException, InterruptedException {
        port = freePort();
        Path log = dataDir.getParent().resolve("appliance-" + (++starts) + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-jar", jar().toString(),
                "--server.port=" + port,
                "--lifeboat.data-dir=" + dataDir,
                "--server.tomcat.basedir=" + dataDir.getParent().resolve("tomcat"),
                "--lifeboat.inventory.uris[0]=" + Guest.URI,
                // a TCG guest's agent is slow to freeze with PostgreSQL's checkpoint first
                "--lifeboat.backup.agent-timeout=60s"));
        command.addAll(settings);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LIFEBOAT_ADMIN_PASSWORD", PASSWORD);
        process = pb.start();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("the appliance exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (get("/actuator/health").status() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep waiting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the appliance was not healthy within " + START_DEADLINE.toSeconds() + " s:\n"
                        + Files.readString(log));
            }
            Thread.sleep(250);
        }
    }

    /** A new process on the same data directory, after {@link #kill()}. */
    void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("the appliance still runs: kill it first");
        }
        startProcess();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the appliance did not die");
        }
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** Writes the body of a GET to {@code to}, byte for byte; the status. */
    int download(String path, Path to) throws IOException, InterruptedException {
        return exchange(request(path).GET().build(), HttpResponse.BodyHandlers.ofFile(to)).statusCode();
    }

    Reply post(String path) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Reply post(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** Polls the job until {@code until} holds; the job as it is then. */
    JsonNode job(String jobId, Duration timeout, Predicate<JsonNode> until) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode job = get("/api/jobs/" + jobId).body();
            if (until.test(job)) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " not there after " + timeout.toSeconds() + " s: " + job);
            }
            Thread.sleep(250);
        }
    }

    /** Polls the job until it has ended. */
    JsonNode awaitJob(String jobId, Duration timeout) throws IOException, InterruptedException {
        return job(jobId, timeout, j -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(j.path("state").asText()));
    }

    /** Backs the VM up and waits: the restore point as the API shows it. */
    JsonNode backUp(String vm, Duration timeout) throws IOException, InterruptedException {
        Reply started = post("/api/vms/" + vm + "/backups");
        if (started.status() != 202) {
            throw new AssertionError("backup of " + vm + ": " + started.status() + " " + started.text());
        }
        JsonNode job = awaitJob(started.body().path("jobId").asText(), timeout);
        if (!job.path("state").asText().equals("SUCCEEDED")) {
            throw new AssertionError("backup of " + vm + " did not succeed: " + job);
        }
        return get("/api/restore-points/" + job.path("restorePoint").asText()).body();
    }

    String log() throws IOException {
        return Files.readString(dataDir.getParent().resolve("appliance-" + starts + ".log"));
    }

    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dataDir.getParent().resolve("appliance-" + starts + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private HttpRequest.Builder request(String path) {
        String auth = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", "Basic " + auth)
                .header("Accept", "application/json");
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            // The test's output goes to a file CI does not show: the appliance's side goes in the message.
            throw new IOException(request.method() + " " + request.uri().getPath() + ": " + e.getMessage()
                    + "\nthe appliance's log ends with:\n" + logTail(80), e);
        }
    }

    private Reply send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpResponse<String> r = exchange(builder.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = null;
        if (!r.body().isEmpty()) {
            try {
                body = JSON.readTree(r.body());
            } catch (IOException notJson) {
                body = null;
            }
        }
        return new Reply(r.statusCode(), body, r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
