package io.lifeboat.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An NBD client for one export over a unix domain socket or TCP: reads data and block status
 * (allocation, dirty bitmaps), and, unless the server marked the export read-only, writes data,
 * writes zeroes and flushes. Writing into an existing image through qemu-nbd (rather than to
 * the file) is what keeps its format and lets QEMU's dirty bitmaps see the writes.
 *
 * <p>Thread-safe: requests are serialized by a lock, one in flight at a time. Every socket wait is
 * bounded by the I/O timeout ({@link #DEFAULT_TIMEOUT} unless given). When the server breaks the
 * protocol or goes silent the call fails with {@link NbdProtocolException} and the connection is
 * closed; when it merely answers a command with an error, the call fails with
 * {@link NbdServerException} and the connection stays usable. Requests must respect the
 * server's minimum block size (1 for qemu-nbd), which this client does not paper over.
 *
 * <p>A write is complete in the server when its call returns, durable only after
 * {@link #flush()}; no request carries NBD_CMD_FLAG_FUA.
 */
public final class NbdClient implements Closeable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Block status ranges per request; any power-of-two minimum block size divides it. */
    static final int MAX_BLOCK_STATUS_REQUEST = 1 << 30;
    /**
     * Write-zeroes ranges per request: below the u32 length (and 2^31, where some servers use a
     * signed int), divisible by any minimum block size, and keeping the pieces cluster-aligned.
     */
    static final int MAX_ZEROES_REQUEST = 1 << 30;
    /** Zero buffers sent per request when the server cannot write zeroes itself. */
    static final int ZERO_BUFFER = 1 << 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final NbdChannel channel;
    private final NegotiatedExport export;
    private final Transmission transmission;
    private final int maxPayload;
    private boolean open = true;

    private NbdClient(NbdChannel channel, NegotiatedExport export) {
        this.channel = channel;
        this.export = export;
        this.transmission = new Transmission(channel, export);
        long max = Math.min(export.blockSize().maximumUnsigned(), NbdProtocol.DEFAULT_MAX_BLOCK_SIZE);
        this.maxPayload = (int) (max - max % export.blockSize().minimum());
    }

    public static NbdClient connectUnix(Path socket, String exportName, List<String> metaContexts)
            throws IOException {
        return connectUnix(socket, exportName, metaContexts, DEFAULT_TIMEOUT);
    }

    public static NbdClient connectUnix(Path socket, String exportName, List<String> metaContexts,
                                        Duration timeout) throws IOException {
        return connect(UnixDomainSocketAddress.of(socket), exportName, metaContexts, timeout);
    }

    public static NbdClient connectTcp(String host, int port, String exportName, List<String> metaContexts)
            throws IOException {
        return connectTcp(host, port, exportName, metaContexts, DEFAULT_TIMEOUT);
    }

    public static NbdClient connectTcp(String host, int port, String exportName, List<String> metaContexts,
                                       Duration timeout) throws IOException {
        return connect(new InetSocketAddress(host, port), exportName, metaContexts, timeout);
    }

    private static NbdClient connect(SocketAddress address, String exportName, List<String> metaContexts,
                                     Duration timeout) throws IOException {
        Objects.requireNonNull(exportName, "exportName");
        List<String> contexts = List.copyOf(metaContexts);
        NbdChannel channel = NbdChannel.connect(address, timeout);
        try {
            return new NbdClient(channel, Handshake.negotiate(channel, exportName, contexts));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Size of the export in bytes. */
    public long size() {
        return export.size();
    }

    /** The NBD_FLAG_* transmission flags the server sent for this export. */
    public int transmissionFlags() {
        return export.transmissionFlags();
    }

    public boolean isReadOnly() {
        return (export.transmissionFlags() & NbdProtocol.FLAG_READ_ONLY) != 0;
    }

    /** Whether the server agreed to structured replies (needed for block status). */
    public boolean structuredReplies() {
        return export.structuredReplies();
    }

    /** Largest read or write payload sent in one request; longer ones are split. */
    public int maxReadRequest() {
        return maxPayload;
    }

    /** Whether the server advertised NBD_FLAG_SEND_WRITE_ZEROES (else zeroes are sent as data). */
    public boolean canWriteZeroes() {
        return (export.transmissionFlags() & NbdProtocol.FLAG_SEND_WRITE_ZEROES) != 0;
    }

    /** Whether the server advertised NBD_FLAG_SEND_FLUSH, without which {@link #flush()} fails. */
    public boolean canFlush() {
        return (export.transmissionFlags() & NbdProtocol.FLAG_SEND_FLUSH) != 0;
    }

    /** The id the server gave a meta context, if it selected it. */
    public Optional<Integer> contextId(String metaContext) {
        return Optional.ofNullable(export.metaContexts().get(metaContext));
    }

    public boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Reads {@code dst.remaining()} bytes starting at {@code offset}; advances {@code dst}. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        locked(() -> {
            long position = offset;
            while (dst.hasRemaining()) {
                int n = Math.min(dst.remaining(), maxPayload);
                ByteBuffer part = dst.duplicate();
                part.limit(part.position() + n);
                transmission.read(position, part);
                dst.position(part.position());
                position += n;
            }
            return null;
        });
    }

    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        read(offset, ByteBuffer.wrap(buf, off, len));
    }

    /**
     * Writes {@code len} bytes of {@code buf} from {@code off} at {@code offset} (NBD_CMD_WRITE),
     * split at the server's maximum block size. On a read-only export it fails at once, sending
     * nothing.
     */
    public void write(long offset, byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        checkRange(offset, len);
        checkWritable("write");
        locked(() -> {
            for (int done = 0; done < len; ) {
                int n = Math.min(len - done, maxPayload);
                transmission.write(offset + done, ByteBuffer.wrap(buf, off + done, n));
                done += n;
            }
            return null;
        });
    }

    /**
     * Makes [offset, offset+length) read as zeroes. With NBD_FLAG_SEND_WRITE_ZEROES this sends
     * NBD_CMD_WRITE_ZEROES without NBD_CMD_FLAG_NO_HOLE, so the server may deallocate the range
     * (punch a hole, mark qcow2 zero clusters), in requests of at most 1 GiB; otherwise it writes
     * zero buffers. On a read-only export it fails at once, sending nothing.
     */
    public void writeZeroes(long offset, long length) throws IOException {
        checkRange(offset, length);
        checkWritable("write zeroes");
        boolean serverZeroes = canWriteZeroes();
        locked(() -> {
            long end = offset + length;
            if (serverZeroes) {
                for (long position = offset; position < end; ) {
                    int n = (int) Math.min(end - position, MAX_ZEROES_REQUEST);
                    transmission.writeZeroes(position, n);
                    position += n;
                }
                return null;
            }
            byte[] zeroes = new byte[(int) Math.min(length, Math.min(ZERO_BUFFER, maxPayload))];
            for (long position = offset; position < end; ) {
                int n = (int) Math.min(end - position, zeroes.length);
                transmission.write(position, ByteBuffer.wrap(zeroes, 0, n));
                position += n;
            }
            return null;
        });
    }

    /**
     * NBD_CMD_FLUSH: when this returns, every write that returned before is on stable storage.
     * A server that did not advertise NBD_FLAG_SEND_FLUSH cannot promise that, so this fails.
     */
    public void flush() throws IOException {
        if (!canFlush()) {
            throw new IOException("the NBD server did not advertise NBD_FLAG_SEND_FLUSH, so writes"
                    + " to this export cannot be made durable");
        }
        locked(() -> {
            transmission.flush();
            return null;
        });
    }

    /**
     * The extents of {@code metaContext} covering exactly [offset, offset+length), in order, with
     * neighbours of equal flags merged. Servers may answer a request for part of the range only,
     * so this asks again until the range is covered.
     */
    public List<Extent> blockStatus(String metaContext, long offset, long length) throws IOException {
        checkRange(offset, length);
        int id = contextId(metaContext).orElseThrow(() -> new IllegalArgumentException(
                "meta context '" + metaContext + "' was not negotiated; the server selected "
                        + export.metaContexts().keySet()));
        return locked(() -> {
            List<Extent> result = new ArrayList<>();
            long end = offset + length;
            long position = offset;
            while (position < end) {
                int n = (int) Math.min(end - position, MAX_BLOCK_STATUS_REQUEST);
                for (Extent e : transmission.blockStatus(id, position, n)) {
                    appendMerged(result, e);
                    position = e.end();
                }
            }
            return List.copyOf(result);
        });
    }

    /** Sends NBD_CMD_DISC (best effort) and closes the connection. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            try (channel) {
                transmission.disconnect();
            } catch (IOException e) {
                // The server may already be gone; the socket is closed either way.
            }
        } finally {
            lock.unlock();
        }
    }

    private interface Action<T> {
        T run() throws IOException;
    }

    private <T> T locked(Action<T> action) throws IOException {
        lock.lock();
        try {
            if (!open) {
                throw new ClosedChannelException();
            }
            try {
                return action.run();
            } catch (NbdServerException e) {
                if ("ESHUTDOWN".equals(e.error())) {
                    // The spec asks a client told ESHUTDOWN to disconnect.
                    close();
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                // Whatever went wrong mid-message, the stream is out of step: drop it.
                open = false;
                try {
                    channel.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Before taking the lock: a refused write leaves the connection as it was. */
    private void checkWritable(String what) throws IOException {
        if (isReadOnly()) {
            throw new IOException("cannot " + what + ": the NBD server exports this disk read-only"
                    + " (NBD_FLAG_READ_ONLY); nothing was sent");
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > export.size() - length) {
            throw new IllegalArgumentException("range at offset " + offset + " length " + length
                    + " is outside the export of " + export.size() + " bytes");
        }
    }

    /** Appends {@code next}, merging it into the last extent if they touch and share flags. */
    static void appendMerged(List<Extent> extents, Extent next) {
        int last = extents.size() - 1;
        if (last >= 0 && extents.get(last).flags() == next.flags() && extents.get(last).end() == next.offset()) {
            Extent merged = extents.get(last);
            extents.set(last, new Extent(merged.offset(), merged.length() + next.length(), merged.flags()));
        } else {
            extents.add(next);
        }
    }
}
