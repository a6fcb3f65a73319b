package io.lifeboat.testkit.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An HTTP/1.1 proxy on loopback in front of an S3 endpoint (S3Proxy), for tests: it forwards
 * path-style S3 requests, records every exchange (so a test can count completed PUTs of each key,
 * parts, multipart completions), and fails the requests a test scripts, the way a real server or
 * network fails:
 * <ul>
 * <li>{@link Fault#INTERNAL_ERROR}: HTTP 500 with the S3 {@code InternalError} XML body;</li>
 * <li>{@link Fault#SLOW_DOWN}: HTTP 503 with the S3 {@code SlowDown} XML body (throttling);</li>
 * <li>{@link Fault#RESET_MID_BODY}: reads part of the request body, then resets the connection
 *     (SO_LINGER 0, so the client sees an RST, not an orderly close);</li>
 * <li>{@link Fault#STALL}: reads the whole request and never answers, until {@link #releaseStalls()}
 *     or {@link #close()} (then the connection is reset).</li>
 * </ul>
 * Faulted requests never reach the server. A {@link #hold hold} blocks matching requests before
 * they are forwarded until it is released, so a test can kill a client at a known point.
 *
 * <p>One thread per connection and one request per connection: the proxy answers with
 * {@code Connection: close}, so it never has to find where a response ends, only where a request
 * does. Request bodies must have a Content-Length (the AWS SDK sends one for every S3 request,
 * including aws-chunked signed payloads, whose Content-Length counts the encoded body); a request
 * with {@code Transfer-Encoding} is refused with 501 and recorded, so a test notices. The proxy
 * answers {@code Expect: 100-continue} itself and does not pass the header on.
 */
public final class FaultProxy implements AutoCloseable {
    /** How a scripted request fails. */
    public enum Fault { INTERNAL_ERROR, SLOW_DOWN, RESET_MID_BODY, STALL }

    /**
     * One request as the proxy saw it. {@code key} is the URL-decoded object key (path-style: the
     * path after {@code /bucket/}), empty for bucket-level requests; {@code query} is the raw query.
     */
    public record Request(String method, String bucket, String key, String query, Map<String, String> headers,
                          long contentLength) {
        public boolean hasParam(String name) {
            for (String p : query.split("&")) {
                if (p.equals(name) || p.startsWith(name + "=")) {
                    return true;
                }
            }
            return false;
        }

        public boolean isPutObject() {
            return method.equals("PUT") && !key.isEmpty() && !hasParam("uploadId");
        }

        public boolean isUploadPart() {
            return method.equals("PUT") && hasParam("uploadId") && hasParam("partNumber");
        }

        public boolean isCreateMultipartUpload() {
            return method.equals("POST") && hasParam("uploads");
        }

        public boolean isCompleteMultipartUpload() {
            return method.equals("POST") && hasParam("uploadId");
        }

        /** A request that writes (or starts or finishes writing) an object. */
        public boolean isWrite() {
            return method.equals("PUT") || method.equals("POST");
        }

        /** A PUT of a whole object, or the completion of a multipart upload: the object now exists. */
        public boolean isObjectCommit() {
            return isPutObject() || isCompleteMultipartUpload();
        }

        /** A request for an object whose key starts with {@code prefix} (e.g. the store's packs/). */
        public boolean isUnder(String prefix) {
            return key.startsWith(prefix);
        }

        @Override
        public String toString() {
            return method + " " + key + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /**
     * One request and what became of it: the server's status (forwarded) or the fault injected
     * (status 0 for a reset or stall), or {@code status 0, fault null} if the client or the server
     * went away before an answer.
     */
    public record Exchange(Request request, int status, Fault fault) {
        /** Forwarded, and the server answered 2xx: the write took effect. */
        public boolean completed() {
            return fault == null && status / 100 == 2;
        }
    }

    /** A scripted fault: the next {@code times} requests matching {@code when} get {@code fault}. */
    public final class Injection {
        private final Fault fault;
        private final Predicate<Request> when;
        private int remaining;
        private int injected;

        private Injection(Fault fault, int times, Predicate<Request> when) {
            this.fault = fault;
            this.remaining = times;
            this.when = when;
        }

        /** How many requests got this fault so far. */
        public int injected() {
            synchronized (FaultProxy.this) {
                return injected;
            }
        }

        /** No more requests get this fault (an outage ends). */
        public void stop() {
            synchronized (FaultProxy.this) {
                remaining = 0;
            }
        }
    }

    /** Blocks matching requests before they are forwarded, until released or cancelled. */
    public final class Hold {
        private final Predicate<Request> when;
        private final CountDownLatch open = new CountDownLatch(1);
        private final List<Request> held = new CopyOnWriteArrayList<>();
        private volatile boolean forward = true;

        private Hold(Predicate<Request> when) {
            this.when = when;
        }

        /** Waits until at least one request is held; fails if none is within {@code deadline}. */
        public Request awaitHeld(Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (held.isEmpty()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("no request was held within " + deadline + "; seen: " + exchanges());
                }
                synchronized (this) {
                    wait(20);
                }
            }
            return held.get(0);
        }

        public List<Request> held() {
            return List.copyOf(held);
        }

        /** Forwards what is held, and stops holding. */
        public void release() {
            holds.remove(this);
            open.countDown();
        }

        /** Resets the connections of what is held (nothing is forwarded), and stops holding. */
        public void cancel() {
            forward = false;
            release();
        }

        private boolean await() throws InterruptedException {
            synchronized (this) {
                notifyAll();
            }
            open.await();
            return forward;
        }
    }

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final List<Injection> injections = new ArrayList<>();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch stalls = new CountDownLatch(1);
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
        Thread t = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A proxy on a free loopback port in front of {@code upstream} (http://host:port). */
    public static FaultProxy start(URI upstream) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return new FaultProxy(s, new InetSocketAddress(upstream.getHost(), upstream.getPort()));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The next {@code times} requests matching {@code when} get {@code fault}. */
    public synchronized Injection inject(Fault fault, int times, Predicate<Request> when) {
        Injection i = new Injection(fault, times, when);
        injections.add(i);
        return i;
    }

    /** Every request matching {@code when} gets {@code fault} until {@link Injection#stop()}. */
    public Injection outage(Fault fault, Predicate<Request> when) {
        return inject(fault, Integer.MAX_VALUE, when);
    }

    /** Holds requests matching {@code when} (evaluated as each request arrives) until released. */
    public Hold hold(Predicate<Request> when) {
        Hold h = new Hold(when);
        holds.add(h);
        return h;
    }

    /** Ends every stalled request (their connections are reset); later stalls stall again. */
    public void releaseStalls() {
        CountDownLatch old = stalls;
        stalls = new CountDownLatch(1);
        old.countDown();
    }

    /** Every exchange so far, in the order they ended. */
    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    /** Forgets the exchanges recorded so far (faults and holds stay). */
    public void resetCounts() {
        exchanges.clear();
    }

    public long count(Predicate<Exchange> which) {
        return exchanges().stream().filter(which).count();
    }

    /** Requests matching {@code which} that were forwarded and answered 2xx. */
    public long completed(Predicate<Request> which) {
        return count(e -> e.completed() && which.test(e.request()));
    }

    /** method + " " + key → number of requests that were forwarded and answered 2xx. */
    public Map<String, Long> completedByMethodAndKey() {
        return exchanges().stream().filter(Exchange::completed)
                .collect(Collectors.groupingBy(e -> e.request().method() + " " + e.request().key(),
                        java.util.TreeMap::new, Collectors.counting()));
    }

    /** The keys of objects whose PUT or multipart completion was forwarded and answered 2xx. */
    public Set<String> committedKeys(Predicate<Request> which) {
        return exchanges().stream().filter(e -> e.completed() && e.request().isObjectCommit() && which.test(e.request()))
                .map(e -> e.request().key()).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout((int) READ_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            List<String> head = readHead(in);
            if (head == null) {
                return; // the client opened and closed a connection without a request
            }
            String[] line = head.get(0).split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h : head.subList(1, head.size())) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            Request req = request(line[0], line[1], headers);
            if (headers.containsKey("transfer-encoding")) {
                record(req, 501, null);
                respond(out, 501, "NotImplemented", "the fault proxy needs a Content-Length");
                return;
            }
            Fault fault = fault(req);
            boolean expects = "100-continue".equalsIgnoreCase(headers.get("expect"));
            if (fault == Fault.RESET_MID_BODY) {
                if (expects) {
                    continueBody(out);
                }
                in.readNBytes((int) Math.min(req.contentLength() / 2, Integer.MAX_VALUE));
                record(req, 0, fault);
                reset(client);
                return;
            }
            Hold hold = holdFor(req);
            if (hold != null) {
                hold.held.add(req);
                if (!hold.await()) {
                    record(req, 0, null);
                    reset(client);
                    return;
                }
            }
            if (expects) {
                continueBody(out);
            }
            byte[] body = in.readNBytes((int) req.contentLength());
            if (body.length != req.contentLength()) {
                record(req, 0, null);
                return; // the client went away mid-body
            }
            if (fault != null) {
                inject(fault, req, client, out);
                return;
            }
            forward(head, req, body, out);
        } catch (IOException e) {
            // the client or the server closed the connection; nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(client);
        }
    }

    private void inject(Fault fault, Request req, Socket client, OutputStream out) throws IOException, InterruptedException {
        switch (fault) {
            case INTERNAL_ERROR -> {
                record(req, 500, fault);
                respond(out, 500, "InternalError", "We encountered an internal error. Please try again.");
            }
            case SLOW_DOWN -> {
                record(req, 503, fault);
                respond(out, 503, "SlowDown", "Please reduce your request rate.");
            }
            case STALL -> {
                record(req, 0, fault);
                CountDownLatch until = stalls;
                while (!closed && !until.await(100, TimeUnit.MILLISECONDS)) {
                    // the client gives up when it likes; the stall ends only when the test says so
                }
                reset(client);
            }
            case RESET_MID_BODY -> throw new IllegalStateException("handled before the body is read");
        }
    }

    /** Sends the request on a new connection to the server and copies its whole answer back. */
    private void forward(List<String> head, Request req, byte[] body, OutputStream out) throws IOException {
        int status = 0;
        try (Socket up = new Socket()) {
            up.connect(upstream, 10_000);
            up.setSoTimeout((int) READ_TIMEOUT.toMillis());
            StringBuilder h = new StringBuilder(head.get(0)).append("\r\n");
            for (String line : head.subList(1, head.size())) {
                String name = line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                if (!name.equals("expect") && !name.equals("connection")) {
                    h.append(line).append("\r\n");
                }
            }
            h.append("Connection: close\r\n\r\n");
            OutputStream upOut = up.getOutputStream();
            upOut.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            upOut.write(body);
            upOut.flush();
            InputStream upIn = new BufferedInputStream(up.getInputStream());
            List<String> answer = readHead(upIn);
            if (answer == null) {
                return;
            }
            status = Integer.parseInt(answer.get(0).split(" ")[1]);
            StringBuilder a = new StringBuilder(answer.get(0)).append("\r\n");
            for (String line : answer.subList(1, answer.size())) {
                if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    a.append(line).append("\r\n");
                }
            }
            a.append("Connection: close\r\n\r\n");
            // recorded before the client can see the answer, so a test that saw the client move on sees the count
            record(req, status, null);
            out.write(a.toString().getBytes(StandardCharsets.ISO_8859_1));
            upIn.transferTo(out);
            out.flush();
        } finally {
            if (status == 0) {
                record(req, 0, null);
            }
        }
    }

    private Request request(String method, String target, Map<String, String> headers) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        String p = URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
        int slash = p.indexOf('/');
        String bucket = slash < 0 ? p : p.substring(0, slash);
        String key = slash < 0 ? "" : p.substring(slash + 1);
        long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        return new Request(method, bucket, key, query, Map.copyOf(headers), length);
    }

    private synchronized Fault fault(Request req) {
        for (Injection i : injections) {
            if (i.remaining > 0 && i.when.test(req)) {
                i.remaining--;
                i.injected++;
                return i.fault;
            }
        }
        return null;
    }

    private Hold holdFor(Request req) {
        for (Hold h : holds) {
            if (h.when.test(req)) {
                return h;
            }
        }
        return null;
    }

    private void record(Request req, int status, Fault fault) {
        exchanges.add(new Exchange(req, status, fault));
    }

    private static void continueBody(OutputStream out) throws IOException {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void respond(OutputStream out, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>fault-proxy</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + code + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (SocketException ignored) {
            // already gone
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    /** The request or status line and the header lines, or null if the stream ends before any byte. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (lines.isEmpty() && line.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside the message head");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                line.reset();
                if (s.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue; // a stray CRLF before a message
                    }
                    if (lines.get(0).startsWith("HTTP/1.1 100")) {
                        lines.clear(); // an interim answer; the real one follows
                        continue;
                    }
                    return lines;
                }
                lines.add(s);
            } else {
                line.write(b);
            }
        }
    }

    /** Stops accepting, ends stalls and holds, and resets every open connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
        holds.forEach(Hold::cancel);
        stalls.countDown();
        open.forEach(FaultProxy::reset);
    }
}
