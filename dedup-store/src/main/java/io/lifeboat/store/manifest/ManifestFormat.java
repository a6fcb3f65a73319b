package io.lifeboat.store.manifest;

import io.lifeboat.store.chunk.Digest;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Byte layout of a manifest file, version 1. Integers are big-endian; {@code str} is a u32 byte
 * length followed by UTF-8.
 *
 * <pre>
 * manifest := magic "LBMF" (4) | version u16 = 1 | flags u16 = 0
 *             | str id | i64 created (epoch ms) | str kind | str consistency | str parent id
 *             | str domain XML | u32 attribute count | (str key | str value)*
 *             | u32 disk count | disk*
 *             | SHA-256 of every byte before it (32)
 * disk     := str name | u64 size | u32 chunk size | run* (until the runs cover every slot)
 * run      := u8 0 (zero slots) | u32 count
 *           | u8 1 (chunks)     | u32 count | SHA-256 (32) * count
 * </pre>
 *
 * Runs keep the map of a mostly-empty disk small without a compressor. The trailing SHA-256 makes
 * a truncated or damaged manifest fail to load instead of restoring the wrong data.
 */
public final class ManifestFormat {
    public static final int VERSION = 1;
    public static final int MAGIC = 0x4C424D46; // "LBMF"
    private static final int TAG_ZERO = 0;
    private static final int TAG_CHUNKS = 1;
    private static final int MAX_STRING = 16 << 20;

    private ManifestFormat() {
    }

    public static byte[] encode(Manifest m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeShort(0);
            str(out, m.id().toString());
            out.writeLong(m.created().toEpochMilli());
            str(out, m.kind().name());
            str(out, m.consistency().name());
            str(out, m.parent());
            str(out, m.domainXml());
            Map<String, String> attrs = new TreeMap<>(m.attributes());
            out.writeInt(attrs.size());
            for (Map.Entry<String, String> e : attrs.entrySet()) {
                str(out, e.getKey());
                str(out, e.getValue());
            }
            out.writeInt(m.disks().size());
            for (DiskMap d : m.disks()) {
                str(out, d.name());
                out.writeLong(d.size());
                out.writeInt(d.chunkSize());
                writeRuns(out, d);
            }
            out.flush();
            byte[] body = bytes.toByteArray();
            byte[] sum = Digest.newSha256().digest(body);
            byte[] all = Arrays.copyOf(body, body.length + sum.length);
            System.arraycopy(sum, 0, all, body.length, sum.length);
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    private static void writeRuns(DataOutputStream out, DiskMap d) throws IOException {
        int n = d.slotCount();
        byte[] slots = d.slotBytes();
        int i = 0;
        while (i < n) {
            boolean zero = d.isZero(i);
            int j = i + 1;
            while (j < n && d.isZero(j) == zero) {
                j++;
            }
            out.writeByte(zero ? TAG_ZERO : TAG_CHUNKS);
            out.writeInt(j - i);
            if (!zero) {
                out.write(slots, i * Digest.LENGTH, (j - i) * Digest.LENGTH);
            }
            i = j;
        }
    }

    /** Parses a manifest; any inconsistency is a {@link CorruptManifestException} naming {@code source}. */
    public static Manifest decode(byte[] all, String source) throws CorruptManifestException {
        if (all.length < 8 + 32) {
            throw new CorruptManifestException(source, "truncated (" + all.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(all, 0, all.length - 32);
        if (b.getInt() != MAGIC) {
            throw new CorruptManifestException(source, "not a manifest (bad magic)");
        }
        int version = b.getShort() & 0xffff;
        if (version != VERSION) {
            throw new CorruptManifestException(source, "manifest format version " + version + ", this Lifeboat reads " + VERSION);
        }
        MessageDigest sha = Digest.newSha256();
        sha.update(all, 0, all.length - 32);
        if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new CorruptManifestException(source, "checksum mismatch (truncated or damaged)");
        }
        try {
            b.getShort();
            RestorePointId id = RestorePointId.parse(str(b));
            Instant created = Instant.ofEpochMilli(b.getLong());
            Manifest.Kind kind = Manifest.Kind.valueOf(str(b));
            Manifest.Consistency consistency = Manifest.Consistency.valueOf(str(b));
            String parent = str(b);
            String xml = str(b);
            int attrCount = count(b, 1 << 16);
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 0; i < attrCount; i++) {
                attrs.put(str(b), str(b));
            }
            int diskCount = count(b, 1 << 10);
            List<DiskMap> disks = new ArrayList<>(diskCount);
            for (int i = 0; i < diskCount; i++) {
                String name = str(b);
                long size = b.getLong();
                int chunkSize = b.getInt();
                DiskMap shape = new DiskMap(name, size, chunkSize);
                byte[] slots = new byte[shape.slotCount() * Digest.LENGTH];
                int slot = 0;
                while (slot < shape.slotCount()) {
                    int tag = b.get();
                    int n = count(b, shape.slotCount() - slot);
                    if (n == 0) {
                        throw new CorruptManifestException(source, "empty run in disk " + name);
                    }
                    if (tag == TAG_CHUNKS) {
                        b.get(slots, slot * Digest.LENGTH, n * Digest.LENGTH);
                    } else if (tag != TAG_ZERO) {
                        throw new CorruptManifestException(source, "unknown run tag " + tag + " in disk " + name);
                    }
                    slot += n;
                }
                disks.add(DiskMap.of(name, size, chunkSize, slots));
            }
            if (b.hasRemaining()) {
                throw new CorruptManifestException(source, b.remaining() + " unexpected bytes after the last disk");
            }
            return new Manifest(id, created, kind, consistency, parent, xml, attrs, disks);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptManifestException(source, "malformed: " + e.getMessage());
        }
    }

    private static int count(ByteBuffer b, int max) throws CorruptManifestException {
        int n = b.getInt();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("count " + n + " out of range");
        }
        return n;
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(u.length);
        out.write(u);
    }

    private static String str(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > MAX_STRING || n > b.remaining()) {
            throw new IllegalArgumentException("string length " + n + " out of range");
        }
        byte[] u = new byte[n];
        b.get(u);
        return new String(u, StandardCharsets.UTF_8);
    }
}
