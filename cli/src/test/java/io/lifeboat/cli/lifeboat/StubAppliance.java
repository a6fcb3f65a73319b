package io.lifeboat.cli.lifeboat;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server in the test JVM standing in for the appliance: every request is recorded as
 * "METHOD path?query" (and its body in {@link #bodies}) and answered 200 with {@code body}.
 */
final class StubAppliance implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    StubAppliance(String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            requests.add(x.getRequestMethod() + " " + x.getRequestURI().getRawPath()
                    + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery()));
            bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, answer.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Runs {@code lifeboat --url <this> --password x args...}, its output swallowed; the exit code. */
    int lifeboat(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--url";
        all[1] = uri().toString();
        all[2] = "--password";
        all[3] = "x";
        System.arraycopy(args, 0, all, 4, args.length);
        synchronized (StubAppliance.class) { // System.out is one for all tests
            PrintStream out = System.out;
            PrintStream err = System.err;
            try {
                System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                return LifeboatCli.run(all);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
