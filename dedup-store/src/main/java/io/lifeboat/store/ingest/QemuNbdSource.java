package io.lifeboat.store.ingest;

import io.lifeboat.kvm.qemu.QemuNbd;
import io.lifeboat.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Path;
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

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            server.close();
        }
    }
}
