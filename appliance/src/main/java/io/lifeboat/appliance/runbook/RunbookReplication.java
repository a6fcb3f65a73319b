package io.lifeboat.appliance.runbook;

import java.util.List;
import java.util.Map;

import io.lifeboat.restore.runbook.BucketRunbooks;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.replication.S3Target;
import org.springframework.stereotype.Component;

/**
 * Each replication run takes the runbooks along: every stored version the bucket does not hold
 * yet is uploaded ({@code runbooks/<name>/<version>.yaml}, confirmed as sent), so a recovery site
 * with the bucket alone has the runbooks too. Versions are never rewritten; a runbook deleted here
 * stays in the bucket, where a site that lost this appliance may still need it.
 */
@Component
public class RunbookReplication {

    private final RunbookRepository repository;

    public RunbookReplication(RunbookRepository repository) {
        this.repository = repository;
    }

    /** Uploads what the bucket lacks; how many versions were uploaded. */
    public int upload(S3Target target) throws StoreException {
        BucketRunbooks bucket = new BucketRunbooks(target);
        Map<String, List<Integer>> present = bucket.list();
        int uploaded = 0;
        for (RunbookRepository.Version newest : repository.list()) {
            for (RunbookRepository.Version v : repository.versions(newest.name())) {
                if (bucket.upload(v.name(), v.version(), v.yaml(), present)) {
                    uploaded++;
                }
            }
        }
        return uploaded;
    }
}
