package io.lifeboat.appliance.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain HTTP against a running appliance, so tests see exactly what a load balancer, curl or
 * the console sees. {@code user} null sends no credentials.
 */
public record ApiClient(int port, String user, String password) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** What came back; {@code body} is the parsed JSON, or a missing node if there was none. */
    public record Reply(int status, String contentType, String wwwAuthenticate, String location, String text,
                        JsonNode body) {
    }

    public static ApiClient anonymous(int port) {
        return new ApiClient(port, null, null);
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** A POST without a body. */
    public Reply post(String path) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public Reply post(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply put(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply patch(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (user != null) {
            String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            b.header("Authorization", "Basic " + token);
        }
        return b;
    }

    private static Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("Content-Type").orElse("");
        JsonNode body = type.contains("json") && !r.body().isEmpty() ? JSON.readTree(r.body()) : JSON.missingNode();
        return new Reply(r.statusCode(), type, r.headers().firstValue("WWW-Authenticate").orElse(null),
                r.headers().firstValue("Location").orElse(null), r.body(), body);
    }
}
