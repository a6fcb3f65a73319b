-- What a finished backup job did, so the job shows it without a join on the restore point: bytes
-- read from the VM's disks, bytes of new chunks before compression, bytes they take in the store,
-- and the job's wall time. Null for every other kind of job and outcome.
ALTER TABLE jobs ADD COLUMN read_bytes BIGINT;
ALTER TABLE jobs ADD COLUMN new_bytes BIGINT;
ALTER TABLE jobs ADD COLUMN stored_bytes BIGINT;
ALTER TABLE jobs ADD COLUMN duration_ms BIGINT;

-- When a restore point was deleted, so the dashboard's history can count what was available at
-- the end of each day. Null while available, and for rows deleted before this column existed.
ALTER TABLE restore_points ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
