-- The restore point a successful backup job produced (<vm>/<time>), so the API can point from the
-- job to its result. Null for every other job and outcome.
ALTER TABLE jobs ADD COLUMN restore_point VARCHAR(200);
