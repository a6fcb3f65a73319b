package io.lifeboat.restore.runbook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.instant.SessionLock;
import io.lifeboat.store.DurableFiles;
import io.lifeboat.store.StoreException.Kind;

/**
 * The runs under a directory: each in {@code <root>/<id>/}, with {@code run.json} (the
 * {@link RunRecord}, written atomically: a temporary file, fsync, rename, fsync of the directory),
 * {@code runbook.yaml} (the runbook as it was when the run started, so that a resume runs the
 * same one), the images of a test run ({@code images/}) and the run's lock (one process at a
 * time runs a run; the kernel drops it when that process dies).
 */
public final class RunStore {
    public static final String FILE = "run.json";
    public static final String YAML = "runbook.yaml";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path root;

    public RunStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** A new run's directory, with the runbook's YAML in it. */
    Path create(String id, String yaml) throws RestoreException {
        try {
            Path dir = Files.createDirectory(dir(id));
            Files.writeString(dir.resolve(YAML), yaml, StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot create run " + id + " in " + root + ": " + e.getMessage(), e);
        }
    }

    public RunRecord read(String id) throws RestoreException {
        if (!ID.matcher(id).matches() || !Files.isRegularFile(dir(id).resolve(FILE))) {
            throw RestoreException.notFound("no runbook run " + id + " in " + root);
        }
        try {
            return JSON.readValue(dir(id).resolve(FILE).toFile(), RunRecord.class);
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot read run " + id + ": " + e.getMessage(), e);
        }
    }

    public String yaml(String id) throws RestoreException {
        try {
            return Files.readString(dir(id).resolve(YAML), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot read the runbook of run " + id + ": " + e.getMessage(), e);
        }
    }

    /** Every readable run, oldest first. */
    public List<RunRecord> list() throws RestoreException {
        List<RunRecord> runs = new ArrayList<>();
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> ID.matcher(p.getFileName().toString()).matches()
                    && Files.isRegularFile(p.resolve(FILE))).toList()) {
                runs.add(read(d.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot list runs in " + root + ": " + e.getMessage(), e);
        }
        runs.sort(Comparator.comparing(r -> r.started));
        return runs;
    }

    synchronized void write(RunRecord run) throws RestoreException {
        Path dir = dir(run.id);
        try {
            DurableFiles.replace(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(run));
        } catch (IOException e) {
            throw new RestoreException(Kind.IO, "cannot record run " + run.id + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The right to run {@code id}; CONFLICT naming the process that has it. */
    SessionLock lock(String id) throws RestoreException {
        return SessionLock.acquire(dir(id), "run " + id);
    }
}
