package io.lifeboat.appliance.console;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a browser does with the console's cookies, by hand: java.net's cookie manager will not
 * send a {@code Secure} cookie over plain http, though browsers do to localhost. Keeps the
 * cookies the appliance sets and sends them back; nothing follows redirects.
 */
final class FormSession {

    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Map<String, String> cookies = new LinkedHashMap<>();
    /** The Set-Cookie headers of the last answer, whole. */
    List<String> lastSetCookies = List.of();

    FormSession(int port) {
        this.port = port;
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send(request(path, headers).GET());
    }

    HttpResponse<String> post(String path, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    /** Fetches the login page, then posts the form with the CSRF cookie's token (or none when {@code withToken} is false). */
    HttpResponse<String> login(String user, String password, boolean withToken) throws IOException, InterruptedException {
        get("/login");
        String form = "username=" + enc(user) + "&password=" + enc(password)
                + (withToken ? "&_csrf=" + enc(cookies.getOrDefault("XSRF-TOKEN", "")) : "");
        return post("/login", "application/x-www-form-urlencoded", form);
    }

    String csrf() {
        return cookies.get("XSRF-TOKEN");
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (!cookies.isEmpty()) {
            b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        lastSetCookies = r.headers().allValues("Set-Cookie");
        for (String c : lastSetCookies) {
            String pair = c.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            boolean expired = c.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty();
            if (expired) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
        return r;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
