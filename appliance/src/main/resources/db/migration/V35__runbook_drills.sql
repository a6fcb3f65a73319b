-- Scheduled drills of runbooks (docs/runbooks.md, "Scheduled drills"): one row per firing of a
-- runbook's drill, also for firings that started nothing. Portable SQL (H2 and PostgreSQL).
-- cause: SCHEDULED or RUN_NOW; outcome: see DrillRun.Outcome (STARTED while its run goes on, then
-- the state the run stopped in). run_id is the test run it started (/api/runbook-runs/{id}).
CREATE TABLE runbook_drills (
    id               VARCHAR(36)              NOT NULL PRIMARY KEY,
    runbook          VARCHAR(63)              NOT NULL,
    scheduled_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at         TIMESTAMP WITH TIME ZONE,
    node             VARCHAR(200)             NOT NULL,
    cause            VARCHAR(16)              NOT NULL,
    outcome          VARCHAR(32)              NOT NULL,
    run_id           VARCHAR(8),
    detail           VARCHAR(4000)
);
CREATE INDEX runbook_drills_runbook ON runbook_drills (runbook, fired_at);
