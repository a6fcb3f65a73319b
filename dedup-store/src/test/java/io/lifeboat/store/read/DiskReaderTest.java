package io.lifeboat.store.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.StoreFixture;
import io.lifeboat.store.chunk.Digest;
import io.lifeboat.store.manifest.DiskMap;
import io.lifeboat.store.manifest.Manifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.lifeboat.testkit.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the NBD export reads: bytes of the restore point, or an error, never a wrong-sized chunk cut to fit. */
class DiskReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheImageAndRefusesAChunkWhoseSizeIsNotItsSlots() throws Exception {
        Path image = TestImages.mixed(dir.resolve("a.img"), 1 << 20, 30_000, 41);
        byte[] expected = Files.readAllBytes(image);
        try (Store store = Store.init(dir.resolve("store"), StoreFixture.small())) {
            Manifest m = StoreFixture.backup(store, "vm", image);
            DiskMap disk = m.disks().get(0);
            byte[] all = new byte[(int) disk.size()];
            new DiskReader(disk, store.chunks(), 4).read(0, all, 0, all.length);
            assertThat(all).isEqualTo(expected);

            int slot = StoreFixture.firstDataSlot(disk);
            Digest bad = disk.digest(slot);
            for (int extra : new int[] {1, -1}) {
                ChunkSource wrongSize = new ChunkSource() {
                    @Override
                    public byte[] read(Digest d) throws StoreException {
                        byte[] c = store.chunks().read(d);
                        return d.equals(bad) ? Arrays.copyOf(c, c.length + extra) : c;
                    }

                    @Override
                    public boolean has(Digest d) throws StoreException {
                        return store.chunks().has(d);
                    }
                };
                long at = disk.grid().slotOffset(slot);
                assertThatThrownBy(() -> new DiskReader(disk, wrongSize, 4).read(at, new byte[512], 0, 512))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CORRUPT))
                        .hasMessageContaining("chunk " + bad);
            }
        }
    }
}
