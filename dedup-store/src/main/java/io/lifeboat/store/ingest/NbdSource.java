package io.lifeboat.store.ingest;

import io.lifeboat.nbd.NbdClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A disk read over NBD: allocated extents from {@code base:allocation} block status (holes and
 * known-zero ranges are skipped), data from {@code NBD_CMD_READ}.
 */
public class NbdSource implements DiskSource {
    public static final String BASE_ALLOCATION = "base:allocation";

    private final NbdClient client;

    public NbdSource(NbdClient client) {
        this.client = client;
    }

    /** The connection this source reads through. */
    protected NbdClient client() {
        return client;
    }

    @Override
    public long size() {
        return client.size();
    }

    @Override
    public List<Extent> allocated() throws IOException {
        if (client.contextId(BASE_ALLOCATION).isEmpty()) {
            return List.of(new Extent(0, size())); // server cannot tell: read everything
        }
        List<Extent> out = new ArrayList<>();
        for (io.lifeboat.nbd.Extent e : client.blockStatus(BASE_ALLOCATION, 0, size())) {
            if (e.has(io.lifeboat.nbd.Extent.NBD_STATE_ZERO)) {
                continue; // reads as zeros, whether allocated or not
            }
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == e.offset()) {
                out.set(out.size() - 1, new Extent(last.offset(), last.length() + e.length()));
            } else {
                out.add(new Extent(e.offset(), e.length()));
            }
        }
        return out;
    }

    @Override
    public void read(long offset, byte[] buf, int len) throws IOException {
        client.read(offset, buf, 0, len);
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
