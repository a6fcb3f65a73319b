package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.cli.ExitCode;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;

/**
 * The appliance's REST API as the CLI sees it: JSON in and out, HTTP Basic on every request, and
 * every failure turned into a {@link CommandFailure} with the exit code the status maps to and the
 * problem's {@code detail} as the message (see docs/api.md, "Errors").
 */
final class ApplianceClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Without a trailing slash, so that a prefix (https://host/lifeboat) is kept. */
    private final String base;
    private final String user;
    private final String authorization;
    private final HttpClient http;

    ApplianceClient(URI base, String user, String password) {
        this.base = base.toString().replaceAll("/+$", "");
        this.user = user;
        this.authorization = password == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        // HTTP/1.1: plain http has no HTTP/2 without an upgrade round trip, which buys nothing here
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** One path segment, percent-encoded (a VM name with a space or a slash stays one segment). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path) throws CommandFailure, InterruptedException {
        return send(request(path).GET());
    }

    JsonNode delete(String path) throws CommandFailure, InterruptedException {
        return send(request(path).DELETE());
    }

    JsonNode post(String path, Object json) throws CommandFailure, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(body(json)));
    }

    JsonNode put(String path, Object json) throws CommandFailure, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").PUT(body(json)));
    }

    /**
     * GETs a download into {@code target} (created or replaced); its size. An error answer writes
     * nothing and fails as {@link #get} would.
     */
    long download(String path, Path target) throws CommandFailure, InterruptedException {
        HttpResponse<InputStream> r;
        try {
            r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() / 100 != 2) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                boolean json = r.headers().firstValue("Content-Type").orElse("").contains("json") && !text.isBlank();
                throw new CommandFailure(exitCode(r.statusCode()), problem(r.statusCode(), json ? JSON.readTree(text) : JSON.missingNode()));
            }
            return Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (JsonProcessingException e) {
            throw new CommandFailure(ExitCode.FAILED, "the appliance sent malformed JSON (HTTP " + r.statusCode() + ")");
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.FAILED, "cannot write " + target + ": " + e.getMessage());
        }
    }

    JsonNode postXml(String path, String xml) throws CommandFailure, InterruptedException {
        return send(request(path).header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString(xml, StandardCharsets.UTF_8)));
    }

    /** POSTs text as it is (a runbook's YAML), with its content type. */
    JsonNode postText(String path, String contentType, String text) throws CommandFailure, InterruptedException {
        return send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)));
    }

    private static HttpRequest.BodyPublisher body(Object json) {
        if (json == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        try {
            return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(json), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    /** The response's JSON, or a missing node for an empty or non-JSON 2xx body. */
    private JsonNode send(HttpRequest.Builder request) throws CommandFailure, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(e);
        }
        JsonNode body = parse(r);
        if (r.statusCode() / 100 == 2) {
            return body;
        }
        throw new CommandFailure(exitCode(r.statusCode()), problem(r.statusCode(), body));
    }

    /** The exit code for an HTTP error status from the appliance. */
    static int exitCode(int status) {
        return switch (status) {
            case 400, 422 -> ExitCode.USAGE;
            case 401, 403 -> ExitCode.NOT_AUTHENTICATED;
            case 404 -> ExitCode.NOT_FOUND;
            case 409 -> ExitCode.CONFLICT;
            default -> ExitCode.FAILED;
        };
    }

    private static JsonNode parse(HttpResponse<String> r) throws CommandFailure {
        boolean json = r.headers().firstValue("Content-Type").orElse("").contains("json");
        if (!json || r.body().isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new CommandFailure(ExitCode.FAILED, "the appliance sent malformed JSON (HTTP " + r.statusCode() + ")");
        }
    }

    private String problem(int status, JsonNode body) {
        if (status == 401) {
            // The appliance's own detail is about HTTP Basic; a CLI user needs to know which knob to turn.
            return authorization == null
                    ? "no password given for user '" + user + "' (--password or LIFEBOAT_PASSWORD)"
                    : "the appliance refused user '" + user + "': wrong user or password";
        }
        String detail = body.path("detail").asText("");
        JsonNode violations = body.path("violations");
        if (violations.isArray() && !violations.isEmpty()) {
            return violations(detail, violations);
        }
        if (!detail.isBlank()) {
            return detail;
        }
        String title = body.path("title").asText("");
        return "HTTP " + status + (title.isBlank() ? "" : " " + title) + " from " + base;
    }

    /**
     * A 400 that names every bad field ({@code violations: [{field, message}]}, docs/api.md,
     * "Policies"): the detail's summary, then one {@code field: message} line each, so that a long
     * list stays readable. The detail repeats the violations after its first colon; that part is dropped.
     */
    private static String violations(String detail, JsonNode violations) {
        int colon = detail.indexOf(':');
        StringBuilder out = new StringBuilder(colon > 0 ? detail.substring(0, colon) : "the request is invalid");
        for (JsonNode v : violations) {
            out.append("\n  ").append(v.path("field").asText("?")).append(": ").append(v.path("message").asText(""));
        }
        return out.toString();
    }

    private CommandFailure unreachable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnresolvedAddressException) {
                return new CommandFailure(ExitCode.UNREACHABLE, "cannot reach the appliance at " + base + " ("
                        + reason(t) + ")");
            }
        }
        return new CommandFailure(ExitCode.FAILED, "talking to the appliance at " + base + ": " + describe(e));
    }

    private static String reason(Throwable t) {
        if (t instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        if (t instanceof HttpConnectTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s";
        }
        return t.getMessage() == null ? "connection refused" : t.getMessage();
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }
}
