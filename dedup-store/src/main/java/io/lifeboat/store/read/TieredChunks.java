package io.lifeboat.store.read;

import io.lifeboat.store.StoreException;
import io.lifeboat.store.chunk.Digest;

/**
 * Chunks from a near source first (the local store), else from a far one (the bucket): instant
 * recovery serves what the recovery site already has from local disk and fetches only the rest.
 * A chunk the near source lacks or holds damaged is read from the far one; if that fails too, the
 * far source's error is thrown with the near one's attached.
 */
public final class TieredChunks implements ChunkSource {
    private final ChunkSource near;
    private final ChunkSource far;

    public TieredChunks(ChunkSource near, ChunkSource far) {
        this.near = near;
        this.far = far;
    }

    @Override
    public byte[] read(Digest d) throws StoreException {
        try {
            return near.read(d);
        } catch (StoreException nearFailure) {
            if (nearFailure.kind() != StoreException.Kind.NOT_FOUND && nearFailure.kind() != StoreException.Kind.CORRUPT) {
                throw nearFailure;
            }
            try {
                return far.read(d);
            } catch (StoreException farFailure) {
                farFailure.addSuppressed(nearFailure);
                throw farFailure;
            }
        }
    }

    @Override
    public boolean has(Digest d) throws StoreException {
        return near.has(d) || far.has(d);
    }
}
