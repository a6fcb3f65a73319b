-- Replication state, so that what the appliance knows of its bucket survives a restart and is
-- read without asking the bucket on every status request or metrics scrape.

-- Per VM: the newest of its restore points that the bucket holds, as of the latest replication run.
-- The replication lag is the age of newest_taken_at.
CREATE TABLE replication_vms (
    vm               VARCHAR(128)             NOT NULL PRIMARY KEY,
    newest_in_bucket VARCHAR(200)             NOT NULL,
    newest_taken_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    checked_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

-- What each replication job did (its state, times and error are in jobs).
CREATE TABLE replication_runs (
    job_id             VARCHAR(36)   NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    uploaded_packs     INTEGER       NOT NULL,
    uploaded_manifests INTEGER       NOT NULL,
    uploaded_bytes     BIGINT        NOT NULL,
    skipped_packs      INTEGER       NOT NULL,
    skipped_manifests  INTEGER       NOT NULL,
    failures           VARCHAR(4000),
    -- pruning of the bucket in this run; all null when it was not asked for
    pruned             BOOLEAN,
    prune_note         VARCHAR(1000),
    deleted_manifests  INTEGER,
    deleted_packs      INTEGER,
    deleted_bytes      BIGINT,
    pending_manifests  INTEGER,
    pending_packs      INTEGER,
    foreign_manifests  INTEGER
);
