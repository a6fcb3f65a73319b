-- What a user and the appliance's own checks say about a restore point, beyond what its backup
-- recorded. Portable SQL (H2 and PostgreSQL), like V1.

-- Set by the user (PATCH /api/restore-points/{vm}/{time}): a protected restore point is neither
-- deleted through the API nor removed by retention, as in Proxmox Backup Server; notes is free text.
ALTER TABLE restore_points ADD COLUMN is_protected BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE restore_points ADD COLUMN notes VARCHAR(1024);

-- The last store verify that covered the restore point: OK, or FAILED when a chunk it names was
-- bad or missing or its manifest unreadable. Both null until a verify has covered it.
ALTER TABLE restore_points ADD COLUMN verify_state VARCHAR(16);
ALTER TABLE restore_points ADD COLUMN verified_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE restore_points ADD CONSTRAINT restore_points_verify_state CHECK (verify_state IN ('OK', 'FAILED'));

-- Every restore point the bucket held when a replication run last listed it (replication_vms
-- keeps only the newest per VM). Replaced as a whole by each listing.
CREATE TABLE replication_points (
    restore_point_id VARCHAR(200)             NOT NULL PRIMARY KEY,
    checked_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
