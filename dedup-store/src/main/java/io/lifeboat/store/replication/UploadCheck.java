package io.lifeboat.store.replication;

import io.lifeboat.store.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Confirms that the object a server holds after an upload is the one that was sent, without
 * downloading it whole: the size from a HEAD; the ETag, where the {@linkplain S3Target#probe()
 * probe} found the server's ETags to be MD5s (a single PUT's is the body's MD5, a multipart
 * upload's the MD5 of its parts' MD5s with {@code -<parts>}); and byte windows compared with what
 * was sent: the first 4 KiB (where a server that kept an encoding shows it), the last 64 KiB (a
 * pack's footer and trailer, a manifest's trailing SHA-256) and a 64 KiB window at a random place
 * in each part. An object of up to {@value #WHOLE} bytes is compared whole.
 *
 * <p>An object that does not read back is deleted (so the next run sends it again rather than
 * taking it for a good copy) and the upload fails with what the server stored and what to set.
 */
final class UploadCheck {
    /** Objects up to this size are read back whole. */
    static final int WHOLE = 1 << 20;
    private static final int HEAD = 4 << 10;
    private static final int WINDOW = 64 << 10;
    /** A chunk-size line of aws-chunked encoding, signed or not, at the start of the object. */
    private static final Pattern CHUNKED = Pattern.compile("^[0-9a-fA-F]{1,8}(;chunk-signature=[0-9a-fA-F]{64})?\r\n");
    private static final Pattern MD5_ETAG = Pattern.compile("[0-9a-fA-F]{32}(-[0-9]+)?");

    private UploadCheck() {
    }

    /**
     * What was sent: its size, MD5 (and its parts' MD5s for a multipart upload), and where to read
     * its bytes again for the comparison.
     */
    static final class Sent {
        private final long size;
        private final byte[] md5;
        private final List<long[]> parts; // offset, length
        private final String multipartEtag;
        private final byte[] bytes;
        private final FileChannel file;

        private Sent(long size, byte[] md5, List<long[]> parts, String multipartEtag, byte[] bytes, FileChannel file) {
            this.size = size;
            this.md5 = md5;
            this.parts = parts;
            this.multipartEtag = multipartEtag;
            this.bytes = bytes;
            this.file = file;
        }

        static Sent of(byte[] bytes) {
            return new Sent(bytes.length, S3Target.digest(S3Target.md5(), bytes, bytes.length),
                    List.<long[]>of(new long[] {0, bytes.length}), null, bytes, null);
        }

        /** A multipart upload of {@code file}: give it every part as it is sent. */
        static Builder file(FileChannel file, long size) {
            return new Builder(file, size);
        }

        static final class Builder {
            private final FileChannel file;
            private final long size;
            private final MessageDigest whole = S3Target.md5();
            private final MessageDigest ofParts = S3Target.md5();
            private final List<long[]> parts = new ArrayList<>();

            private Builder(FileChannel file, long size) {
                this.file = file;
                this.size = size;
            }

            void part(long offset, int length, byte[] partMd5, byte[] buf) {
                whole.update(buf, 0, length);
                ofParts.update(partMd5);
                parts.add(new long[] {offset, length});
            }

            Sent build() {
                String etag = HexFormat.of().formatHex(ofParts.digest()) + "-" + parts.size();
                return new Sent(size, whole.digest(), List.copyOf(parts), etag, null, file);
            }
        }

        byte[] read(long offset, int length) throws IOException {
            if (bytes != null) {
                return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
            }
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (file.read(b, offset + b.position()) < 0) {
                    throw new IOException("file shrank after its upload");
                }
            }
            return b.array();
        }
    }

    /** Returns if the server holds {@code sent} under {@code key}; otherwise deletes the object and throws. */
    static void confirm(S3Target target, S3Target.Probe probe, String key, Sent sent) throws StoreException {
        Optional<S3Target.Stat> stat = target.stat(key);
        String wrong = stat.isEmpty() ? "the upload succeeded, yet the server holds no object under the key"
                : difference(target, probe, key, sent, stat.get());
        if (wrong == null) {
            return;
        }
        String framing = "";
        if (stat.isPresent() && stat.get().size() > 0) {
            try {
                framing = framing(target.getRange(key, 0, Math.min(stat.get().size(), 96)));
            } catch (StoreException ignored) {
                // the diagnosis is a courtesy; the failure stands without it
            }
        }
        String removed;
        try {
            target.delete(key);
            removed = "It was removed from the bucket; the next run sends it again.";
        } catch (StoreException e) {
            removed = "Removing it failed too (" + e.getMessage() + "): remove it by hand or run `verify-bucket`;"
                    + " while it is there, a run takes it for a copy if its size is right.";
        }
        throw new StoreException(StoreException.Kind.CORRUPT, key + " does not read back as sent: " + wrong + ". "
                + (framing.isEmpty() ? "The server, or something between Lifeboat and it, changed the object; run"
                + " `replication test` to probe the server and `verify-bucket` to check what the bucket holds."
                : framing + " " + advice(target.settings().compatibility())) + " " + removed);
    }

    private static String difference(S3Target target, S3Target.Probe probe, String key, Sent sent, S3Target.Stat stat)
            throws StoreException {
        if (stat.size() != sent.size) {
            return "the server holds " + String.format("%,d", stat.size()) + " bytes for the " + String.format("%,d", sent.size) + " sent";
        }
        String etag = stat.etag();
        if (probe.md5Etags() && stat.etagIsDigest() && etag != null && MD5_ETAG.matcher(etag).matches()) {
            String md5 = HexFormat.of().formatHex(sent.md5);
            // A multipart upload's ETag is checked only in S3's form, md5-of-part-md5s-<parts>; in any
            // other (s3rver gives the whole object's MD5) it is no evidence either way.
            boolean comparable = sent.multipartEtag == null
                    || etag.endsWith(sent.multipartEtag.substring(sent.multipartEtag.indexOf('-')));
            boolean ok = etag.equalsIgnoreCase(md5) || !comparable
                    || (sent.multipartEtag != null && etag.equalsIgnoreCase(sent.multipartEtag));
            if (!ok) {
                return "its ETag " + etag + " is not the MD5 of what was sent ("
                        + (sent.multipartEtag != null ? sent.multipartEtag + " or " : "") + md5 + ")";
            }
        }
        for (long[] w : windows(sent)) {
            byte[] expected;
            try {
                expected = sent.read(w[0], (int) w[1]);
            } catch (IOException e) {
                throw StoreException.io("reading back what was sent as " + key, e);
            }
            byte[] got = target.getRange(key, w[0], w[1]);
            int at = Arrays.mismatch(expected, got);
            if (at >= 0) {
                return at >= got.length ? "bytes from " + (w[0] + got.length) + " on are missing"
                        : "byte " + String.format("%,d", w[0] + at) + " differs from what was sent";
            }
        }
        return null;
    }

    /** Offset and length of each window to compare. */
    private static List<long[]> windows(Sent sent) {
        if (sent.size <= WHOLE) {
            return sent.size == 0 ? List.of() : List.<long[]>of(new long[] {0, sent.size});
        }
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {0, HEAD});
        for (long[] part : sent.parts) {
            int len = (int) Math.min(WINDOW, part[1]);
            long at = part[0] + ThreadLocalRandom.current().nextLong(part[1] - len + 1);
            out.add(new long[] {at, len});
        }
        out.add(new long[] {sent.size - WINDOW, WINDOW});
        return out;
    }

    /** A sentence naming the aws-chunked encoding if the object's first bytes show it, else "". */
    static String framing(byte[] head) {
        String start = new String(head, StandardCharsets.ISO_8859_1);
        var m = CHUNKED.matcher(start);
        if (!m.find()) {
            return "";
        }
        String shown = start.substring(0, Math.min(start.indexOf('\r'), 40)) + (m.group(1) == null ? "" : "…");
        return m.group(1) != null
                ? "It begins with aws-chunked framing (\"" + shown + "\"): the server stored the AWS SDK's signed streaming"
                        + " upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) without decoding it."
                : "It begins with aws-chunked framing (\"" + shown + "\"): the server stored a streaming upload with a"
                        + " trailing checksum without decoding it.";
    }

    /** What to set when a server kept an encoding. */
    static String advice(S3Compatibility c) {
        return "Set payload signing to signed (lifeboat.replication.payload-signing, or --payload-signing) or auto"
                + (c.sdkChecksums() ? ", and SDK checksums to when-required (lifeboat.replication.sdk-checksums)" : "")
                + "; auto lets `replication test` probe the server.";
    }
}
