package io.lifeboat.appliance.runbook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.lifeboat.appliance.catalog.RestorePointRepository;
import io.lifeboat.restore.RestoreException;
import io.lifeboat.restore.runbook.Runbook;
import io.lifeboat.restore.runbook.RunbookException;
import io.lifeboat.restore.runbook.RunbookParser;
import org.springframework.stereotype.Service;

/**
 * The appliance's runbooks: checked ({@link RunbookParser}, with the VMs that have restore points
 * here) before they are stored, versioned in the catalog, the YAML kept exactly as written.
 */
@Service
public class Runbooks {

    /** A stored version and what it says; {@code created} is false when the YAML was the newest version's already. */
    public record Saved(RunbookRepository.Version version, Runbook runbook, boolean created) {
    }

    private final RunbookRepository repository;
    private final RestorePointRepository restorePoints;

    public Runbooks(RunbookRepository repository, RestorePointRepository restorePoints) {
        this.repository = repository;
        this.restorePoints = restorePoints;
    }

    /** Checks {@code yaml} as a save would, storing nothing. */
    public Runbook check(String yaml) throws RunbookException {
        return RunbookParser.parse(yaml, vm -> !restorePoints.listAvailable(vm).isEmpty());
    }

    /** Checks and stores {@code yaml} as the next version of the runbook it names, unless it is the newest already. */
    public synchronized Saved save(String yaml, String user) throws RunbookException {
        Runbook runbook = check(yaml);
        String sha = sha256(yaml);
        Optional<RunbookRepository.Version> latest = repository.latest(runbook.name());
        if (latest.isPresent() && latest.get().sha256().equals(sha)) {
            return new Saved(latest.get(), runbook, false);
        }
        return new Saved(repository.insert(runbook.name(), yaml, sha, user), runbook, true);
    }

    public List<RunbookRepository.Version> list() {
        return repository.list();
    }

    /** The newest version; NOT_FOUND if there is no such runbook. */
    public RunbookRepository.Version latest(String name) throws RestoreException {
        return repository.latest(name).orElseThrow(() -> RestoreException.notFound("no runbook " + name));
    }

    public RunbookRepository.Version version(String name, int version) throws RestoreException {
        return repository.find(name, version)
                .orElseThrow(() -> RestoreException.notFound("runbook " + name + " has no version " + version));
    }

    public List<RunbookRepository.Version> versions(String name) throws RestoreException {
        List<RunbookRepository.Version> all = repository.versions(name);
        if (all.isEmpty()) {
            throw RestoreException.notFound("no runbook " + name);
        }
        return all;
    }

    /** What a stored version says (it was valid when stored; the VMs it names may have gone since). */
    public Runbook parsed(RunbookRepository.Version v) throws RunbookException {
        return RunbookParser.parse(v.yaml());
    }

    public void delete(String name) throws RestoreException {
        if (!repository.delete(name)) {
            throw RestoreException.notFound("no runbook " + name);
        }
    }

    static String sha256(String yaml) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
