package io.lifeboat.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code qemu-nbd} process serving one image (read-only unless asked), plus the qemu-img/qemu-io
 * runs that prepare it.
 */
final class QemuNbd implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final Path log;

    private QemuNbd(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static boolean toolsAvailable() {
        try {
            return new ProcessBuilder("qemu-nbd", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a qemu tool to completion, failing with its output if it fails. */
    static void run(Path workDir, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(workDir, "cmd", ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(output));
        }
    }

    /** Runs a qemu tool and returns its standard output. */
    static String output(Path workDir, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(workDir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(output.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return Files.readString(output);
    }

    static QemuNbd serveUnix(Path image, String format, Path socket, String... extra) throws Exception {
        return serveUnix(image, format, socket, true, extra);
    }

    /** Serves {@code image} writable, with qemu-nbd's defaults (cache=writeback, discard=ignore). */
    static QemuNbd serveUnixWritable(Path image, String format, Path socket, String... extra) throws Exception {
        return serveUnix(image, format, socket, false, extra);
    }

    private static QemuNbd serveUnix(Path image, String format, Path socket, boolean readOnly, String... extra)
            throws Exception {
        List<String> args = args(image, format, readOnly, extra);
        args.add("--socket=" + socket);
        return start(args, image.getParent(), UnixDomainSocketAddress.of(socket));
    }

    static QemuNbd serveTcp(Path image, String format, int port, String... extra) throws Exception {
        List<String> args = args(image, format, true, extra);
        args.add("--bind=127.0.0.1");
        args.add("--port=" + port);
        return start(args, image.getParent(), new InetSocketAddress("127.0.0.1", port));
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<String> args(Path image, String format, boolean readOnly, String... extra) {
        // --shared: the readiness probe and the client under test may overlap briefly.
        List<String> args = new ArrayList<>(List.of("qemu-nbd", "--persistent", "--shared=8",
                "--format=" + format, "--export-name=vda"));
        if (readOnly) {
            args.add("--read-only");
        }
        args.addAll(List.of(extra));
        args.add(image.toString());
        return args;
    }

    private static QemuNbd start(List<String> args, Path dir, SocketAddress address) throws Exception {
        Path log = Files.createTempFile(dir, "qemu-nbd", ".log");
        Process process = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        QemuNbd server = new QemuNbd(process, log);
        try {
            server.awaitListening(address);
            return server;
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
    }

    /** Polls with a deadline until a connection succeeds: the socket exists before listen() is called. */
    private void awaitListening(SocketAddress address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("qemu-nbd exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            boolean unix = address instanceof UnixDomainSocketAddress;
            if (!unix || Files.exists(Path.of(((UnixDomainSocketAddress) address).getPath().toString()))) {
                try (SocketChannel probe = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
                    probe.connect(address);
                    return;
                } catch (IOException notYet) {
                    // Not listening yet.
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("qemu-nbd not listening on " + address + " after "
                        + START_TIMEOUT_MS + " ms: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
