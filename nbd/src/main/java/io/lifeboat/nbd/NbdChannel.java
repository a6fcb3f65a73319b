package io.lifeboat.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A stream socket (unix domain or TCP) on which every read, write and connect is bounded by a
 * timeout, for both ends of an NBD connection.
 *
 * <p>Blocking {@link SocketChannel}s have no read timeout, and unix-domain channels have no
 * {@code Socket} adaptor with {@code SO_TIMEOUT}, so the channel runs non-blocking and waits on
 * its own {@link Selector}. No thread is involved, so nothing can leak but the two descriptors
 * (socket and selector) that {@link #close()} releases. The timeout is an idle timeout: it
 * restarts whenever bytes move, so a large but steady transfer is never cut off while a peer
 * that goes silent is detected within one timeout. A server can also cap every wait at an
 * absolute deadline ({@link #limitUntil}), which bounds a whole handshake however slowly the
 * peer trickles bytes, and can wait indefinitely for the next request ({@link #awaitReadable}).
 *
 * <p>One thread does the I/O; {@link #shutdown()} may be called from any other thread to end it.
 */
final class NbdChannel implements Closeable {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final Duration timeout;
    /** Absolute cap on every deadline, in {@link System#nanoTime()} terms, while {@code limited}. */
    private long limit;
    private boolean limited;

    private NbdChannel(SocketChannel channel, Duration timeout) throws IOException {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.channel = channel;
        this.timeout = timeout;
        Selector opened = Selector.open();
        try {
            channel.configureBlocking(false);
            this.key = channel.register(opened, 0);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        this.selector = opened;
    }

    /** Connects to a {@link UnixDomainSocketAddress} or an {@code InetSocketAddress}. */
    static NbdChannel connect(SocketAddress address, Duration timeout) throws IOException {
        boolean unix = address instanceof UnixDomainSocketAddress;
        SocketChannel socket = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        NbdChannel result;
        try {
            if (!unix) {
                // Requests are small and each waits for its reply: Nagle would only add latency.
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            result = new NbdChannel(socket, timeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            long deadline = result.deadline();
            if (!socket.connect(address)) {
                while (!socket.finishConnect()) {
                    result.await(SelectionKey.OP_CONNECT, "connecting to " + address, deadline);
                }
            }
            return result;
        } catch (IOException | RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /** Wraps an accepted connection (the server side). */
    static NbdChannel accepted(SocketChannel socket, Duration timeout) throws IOException {
        return new NbdChannel(socket, timeout);
    }

    Duration timeout() {
        return timeout;
    }

    /** From now on no wait goes past {@code deadlineNanos} (a {@link System#nanoTime()} value). */
    void limitUntil(long deadlineNanos) {
        limit = deadlineNanos;
        limited = true;
    }

    /** Lifts the cap set by {@link #limitUntil}; only the idle timeout applies again. */
    void removeLimit() {
        limited = false;
    }

    /**
     * Waits until bytes can be read or the peer has closed, for at most {@code patience}, or
     * indefinitely if it is {@code null}. Returns whether input is there; false means the wait
     * timed out. A server waits here between requests, where a client may rightly stay silent.
     */
    boolean awaitReadable(Duration patience) throws IOException {
        long deadline = patience == null ? 0 : System.nanoTime() + patience.toNanos();
        while (true) {
            long wait = 0;
            if (patience != null) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
            }
            interest(SelectionKey.OP_READ);
            int ready = selector.select(wait);
            selector.selectedKeys().clear();
            if (ready > 0) {
                return true;
            }
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for a request");
            }
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Fills {@code dst} completely. {@code what} names the message being read, for the error
     * raised when the peer closes the connection part-way or goes silent.
     */
    void readFully(ByteBuffer dst, String what) throws IOException {
        int expected = dst.remaining();
        long deadline = deadline();
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                int got = expected - dst.remaining();
                throw new NbdProtocolException("connection closed by the peer while reading " + what
                        + " (got " + got + " of " + expected + " bytes)");
            }
            if (n > 0) {
                deadline = deadline();
            } else {
                await(SelectionKey.OP_READ, "reading " + what, deadline);
            }
        }
    }

    /** Reads exactly {@code length} bytes into a new buffer, flipped for reading. */
    ByteBuffer read(int length, String what) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        readFully(buffer, what);
        return buffer.flip();
    }

    /** Writes all remaining bytes of {@code buffers}, in order. */
    void write(ByteBuffer... buffers) throws IOException {
        long deadline = deadline();
        while (hasRemaining(buffers)) {
            long n = channel.write(buffers);
            if (n > 0) {
                deadline = deadline();
            } else {
                await(SelectionKey.OP_WRITE, "writing to the peer", deadline);
            }
        }
    }

    /**
     * Closes the socket from another thread and wakes the thread blocked on it, which then fails
     * with a {@link ClosedChannelException} and closes the channel itself.
     */
    synchronized void shutdown() throws IOException {
        if (selector.isOpen()) {
            channel.close();
            selector.wakeup();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try (selector) {
            channel.close();
        }
    }

    private long deadline() {
        long idle = System.nanoTime() + timeout.toNanos();
        return limited && limit - idle < 0 ? limit : idle;
    }

    private void interest(int ops) throws ClosedChannelException {
        try {
            key.interestOps(ops);
        } catch (CancelledKeyException e) {
            // Another thread closed the socket (shutdown), which cancels its registration.
            throw new ClosedChannelException();
        }
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void await(int ops, String what, long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new NbdTimeoutException(limited && limit - System.nanoTime() <= 0
                    ? "deadline passed while " + what
                    : "no progress for " + timeout.toMillis() + " ms while " + what);
        }
        interest(ops);
        // select(ms) rounds down; never pass 0, which would mean "forever".
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            // select() returns at once while the flag is set; give up rather than spin.
            throw new InterruptedIOException("interrupted while " + what);
        }
    }
}
