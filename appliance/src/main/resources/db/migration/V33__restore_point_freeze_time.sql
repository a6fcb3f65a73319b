-- How long an APPLICATION-consistent restore point kept the guest's file systems frozen
-- (milliseconds from the freeze's answer to the thaw's); null for the others. Portable SQL.
ALTER TABLE restore_points ADD COLUMN frozen_ms BIGINT;
