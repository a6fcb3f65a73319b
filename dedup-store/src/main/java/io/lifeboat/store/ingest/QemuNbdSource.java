package io.lifeboat.store.ingest;

import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image in a format only QEMU reads (qcow2), served by {@link QemuNbd} from a directory the
 * source owns and read as an {@link NbdSource}: closing stops qemu-nbd and removes the directory;
 * after a crash {@link QemuNbd#stopLeftover} stops the orphan.
 */
public final class QemuNbdSource extends NbdSource {
    private final QemuNbd server;

    private QemuNbdSource(NbdClient client, QemuNbd server) {
        super(client);
        this.server = server;
    }

    /**
     * Serves {@code image} with qemu-nbd from {@code dir}, which must not exist yet (null: a new
     * temporary directory).
     */
    public static QemuNbdSource open(Path image, String format, Path dir) throws IOException {
        QemuNbd.Served<NbdClient> served = QemuNbd.serve(image, format, dir,
                (socket, export) -> NbdClient.connectUnix(socket, export, List.of(BASE_ALLOCATION)));
        return new QemuNbdSource(served.client(), served.server());
    }

    /**
     * Serves a qcow2 {@code image} with its persistent dirty bitmap {@code bitmap} exposed
     * ({@code qemu-nbd --bitmap}), from {@code dir} (as {@link #open}). Fails, serving nothing,
     * when the image has no such bitmap or it is inconsistent (the image was not closed cleanly).
     */
    public static QemuNbdSource openWithBitmap(Path image, String bitmap, Path dir) throws IOException {
        String context = bitmapContext(bitmap);
        QemuNbd.Served<NbdClient> served = QemuNbd.serve(image, "qcow2", dir, new QemuNbd.Options(false, bitmap),
                (socket, export) -> NbdClient.connectUnix(socket, export, List.of(BASE_ALLOCATION, context)));
        QemuNbdSource source = new QemuNbdSource(served.client(), served.server());
        if (served.client().contextId(context).isEmpty()) {
            source.close();
            throw new IOException("qemu-nbd did not expose bitmap " + bitmap + " of " + image);
        }
        return source;
    }

    /** The NBD meta context under which qemu-nbd exposes persistent bitmap {@code bitmap}. */
    public static String bitmapContext(String bitmap) {
        return "qemu:dirty-bitmap:" + bitmap;
    }

    /** The extents the bitmap marks dirty (for a source opened {@link #openWithBitmap with a bitmap}). */
    public List<Extent> dirty(String bitmap) throws IOException {
        List<Extent> out = new ArrayList<>();
        for (io.lifeboat.nbd.Extent e : client().blockStatus(bitmapContext(bitmap), 0, size())) {
            if (e.has(io.lifeboat.nbd.Extent.NBD_STATE_DIRTY)) {
                Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && last.end() == e.offset()) {
                    out.set(out.size() - 1, new Extent(last.offset(), last.length() + e.length()));
                } else {
                    out.add(new Extent(e.offset(), e.length()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            server.close();
        }
    }
}
