package io.lifeboat.restore.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * A directory's tar archive, as libguestfs' {@code tar-out} writes it, made a zip for users who
 * want one (PBS and Veeam offer a folder as zip). Names lose tar's leading {@code ./}; regular
 * files are deflated; modes and modification times are kept (Info-ZIP's Unix attributes and
 * extended timestamp); a symbolic link stays a link; a hard link becomes a copy of the file it
 * names (zip has no hard links). Devices, FIFOs and sockets have no zip form and are left out:
 * {@link Result#skipped} counts them.
 */
final class TarToZip {

    /** What went into the zip. */
    record Result(int entries, int skipped) {
    }

    private TarToZip() {
    }

    static Result convert(Path tar, Path zip) throws IOException {
        int entries = 0;
        int skipped = 0;
        try (TarFile in = new TarFile(tar); ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            out.setUseZip64(Zip64Mode.AsNeeded);
            Map<String, TarArchiveEntry> files = new HashMap<>();
            List<TarArchiveEntry> all = in.getEntries();
            if (all.isEmpty()) {
                throw new IOException(tar + " is not a tar archive: it has no entry, not even its top directory");
            }
            for (TarArchiveEntry e : all) {
                String name = zipName(e.getName());
                if (name.isEmpty()) {
                    continue; // the directory itself ("./")
                }
                int permissions = e.getMode() & 07777;
                ZipArchiveEntry z;
                if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice()) {
                    skipped++;
                    continue;
                }
                if (e.isDirectory()) {
                    z = new ZipArchiveEntry(name.endsWith("/") ? name : name + "/");
                    z.setUnixMode(UnixStat.DIR_FLAG | permissions);
                    begin(out, z, e);
                } else if (e.isSymbolicLink()) {
                    z = new ZipArchiveEntry(name);
                    z.setUnixMode(UnixStat.LINK_FLAG | 0777);
                    begin(out, z, e);
                    out.write(e.getLinkName().getBytes(StandardCharsets.UTF_8));
                } else if (e.isLink() || e.isFile()) {
                    TarArchiveEntry content = e.isLink() ? files.get(e.getLinkName()) : e;
                    if (content == null) {
                        throw new IOException("the tar's hard link " + e.getName() + " names " + e.getLinkName()
                                + ", which comes nowhere before it");
                    }
                    z = new ZipArchiveEntry(name);
                    z.setUnixMode(UnixStat.FILE_FLAG | permissions);
                    z.setMethod(ZipArchiveEntry.DEFLATED);
                    begin(out, z, e);
                    try (InputStream bytes = in.getInputStream(content)) {
                        bytes.transferTo(out);
                    }
                    if (e.isFile()) {
                        files.put(e.getName(), e);
                    }
                } else {
                    skipped++;
                    continue;
                }
                out.closeArchiveEntry();
                entries++;
            }
            out.finish();
        }
        return new Result(entries, skipped);
    }

    private static void begin(ZipArchiveOutputStream out, ZipArchiveEntry z, TarArchiveEntry e) throws IOException {
        z.setLastModifiedTime(e.getLastModifiedTime());
        out.putArchiveEntry(z);
    }

    private static String zipName(String tarName) {
        String n = tarName;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n.equals(".") ? "" : n;
    }
}
