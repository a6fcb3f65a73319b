package io.lifeboat.store.chunk;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;

/**
 * zstd compression of one chunk at a time, one instance per thread (zstd contexts are reused
 * across chunks and are not thread-safe). A chunk that does not shrink is stored raw, so
 * incompressible data costs no CPU at restore.
 */
public final class ChunkCompressor implements AutoCloseable {
    private final ZstdCompressCtx cctx = new ZstdCompressCtx();
    private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();
    private byte[] out;

    public ChunkCompressor(int level) {
        cctx.setLevel(level);
    }

    /** A stored chunk: the bytes are valid in {@code [0, length)} until the next call. */
    public record Encoded(Codec codec, byte[] bytes, int length) {
    }

    public Encoded encode(byte[] raw, int len) {
        int bound = (int) Zstd.compressBound(len);
        if (out == null || out.length < bound) {
            out = new byte[bound];
        }
        int n = cctx.compressByteArray(out, 0, out.length, raw, 0, len);
        if (n >= len) {
            return new Encoded(Codec.RAW, raw, len);
        }
        return new Encoded(Codec.ZSTD, out, n);
    }

    /** Decodes into {@code dst[0, rawLength)}; throws if the payload does not decode to exactly that. */
    public void decode(Codec codec, byte[] stored, int storedLength, byte[] dst, int rawLength) {
        switch (codec) {
            case RAW -> {
                if (storedLength != rawLength) {
                    throw new IllegalStateException("raw chunk stored with " + storedLength + " bytes, expected " + rawLength);
                }
                System.arraycopy(stored, 0, dst, 0, rawLength);
            }
            case ZSTD -> {
                int n = dctx.decompressByteArray(dst, 0, rawLength, stored, 0, storedLength);
                if (n != rawLength) {
                    throw new IllegalStateException("zstd chunk decoded to " + n + " bytes, expected " + rawLength);
                }
            }
        }
    }

    @Override
    public void close() {
        cctx.close();
        dctx.close();
    }
}
