-- What a restore or instant recovery job restores and what it made, so the API can show a job's
-- result (GET /api/jobs/{id}/restore). The job's state, times and error are in jobs.
CREATE TABLE restore_runs (
    job_id           VARCHAR(36)   NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    restore_point    VARCHAR(200)  NOT NULL,
    -- NEW_VM, CLONE, OVER_ORIGINAL (a restore) or INSTANT (an instant recovery)
    mode             VARCHAR(16)   NOT NULL,
    -- the VM restored into; null when only disk images are written
    vm_name          VARCHAR(128),
    vm_uuid          VARCHAR(36),
    uri              VARCHAR(400)  NOT NULL,
    -- one line per disk: <disk>=<file>
    disks            VARCHAR(4000) NOT NULL,
    -- the instant recovery session (<data-dir>/instant/<id>); null for a restore
    session_id       VARCHAR(16),
    -- the instant recovery's copy limit in bytes/s (0: none), kept so a resumed copy keeps it
    bandwidth        BIGINT,
    -- set when the job succeeded: a VM was defined, and started
    defined          BOOLEAN,
    started          BOOLEAN,
    -- what the restore changed beyond the request, one per line
    notes            VARCHAR(4000)
);
CREATE INDEX restore_runs_session ON restore_runs (session_id);
