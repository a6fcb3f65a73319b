package io.lifeboat.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The threads and socket-like descriptors of this JVM at one moment, to prove nothing was left behind. */
final class ResourceSnapshot {

    private final Set<Thread> threads;
    private final List<String> descriptors;

    private ResourceSnapshot(Set<Thread> threads, List<String> descriptors) {
        this.threads = threads;
        this.descriptors = descriptors;
    }

    /** The JDK opens one socket of its own, for good, on first use of networking: not ours to count. */
    static void warmUpJdkNetworking() throws IOException {
        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel tcp = SocketChannel.open();
             Selector selector = Selector.open()) {
            assertThat(unix.isOpen() && tcp.isOpen() && selector.isOpen()).isTrue();
        }
    }

    static ResourceSnapshot take() throws IOException {
        return new ResourceSnapshot(Thread.getAllStackTraces().keySet(), socketDescriptors());
    }

    void assertNothingLeft() throws IOException {
        Set<Thread> added = new HashSet<>(Thread.getAllStackTraces().keySet());
        added.removeAll(threads);
        // JUnit starts its @Timeout watcher lazily, during the first test.
        added.removeIf(t -> !t.isAlive() || t.getName().startsWith("junit-"));
        assertThat(added).as("threads left behind").isEmpty();
        // Only new ones count: pipes of a finished child process may close later, and that is no leak.
        List<String> opened = new ArrayList<>(socketDescriptors());
        opened.removeAll(descriptors);
        assertThat(opened).as("sockets, selectors and pipes left open").isEmpty();
    }

    /** Open sockets, epoll instances and pipes of this JVM: what a leaking peer would leave behind. */
    private static List<String> socketDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    return "";
                }
            }).filter(t -> t.startsWith("socket:") || t.startsWith("pipe:") || t.startsWith("anon_inode:"))
                    .sorted().toList();
        }
    }
}
