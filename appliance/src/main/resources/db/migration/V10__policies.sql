-- Backup policies, what each of their firings did, and which appliance runs a job.
-- Portable SQL (H2 and PostgreSQL), like V1. Quartz's own tables come with V11, from
-- db/quartz/<vendor>/ (see io.lifeboat.appliance.policy.QuartzConfiguration).

-- A policy as the user wrote it: `definition` is the JSON of the API's request body (see
-- PolicyDocument and docs/policies.md), valid when stored; `paused` stops its schedules.
CREATE TABLE policies (
    name             VARCHAR(64)              NOT NULL PRIMARY KEY,
    definition       VARCHAR(8000)            NOT NULL,
    paused           BOOLEAN                  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row per firing of a policy schedule (backup, verify or GC), also for firings that were
-- skipped: which appliance ran it, when it was due and when it ran, what it decided and did.
-- cause: SCHEDULED, RUN_NOW or MISFIRE (a fire time missed while the appliance was down or busy);
-- outcome: see PolicyRun.Outcome. vms and job_ids are comma-separated.
-- Not unique on (policy, kind, scheduled_at) on purpose: the cluster test counts these rows to
-- prove that Quartz fires each time once across the cluster.
CREATE TABLE policy_runs (
    id               VARCHAR(36)              NOT NULL PRIMARY KEY,
    policy           VARCHAR(64)              NOT NULL,
    kind             VARCHAR(16)              NOT NULL,
    scheduled_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at         TIMESTAMP WITH TIME ZONE,
    node             VARCHAR(200)             NOT NULL,
    cause            VARCHAR(16)              NOT NULL,
    outcome          VARCHAR(32)              NOT NULL,
    vms              VARCHAR(4000),
    job_ids          VARCHAR(4000),
    detail           VARCHAR(4000),
    CONSTRAINT policy_runs_kind CHECK (kind IN ('BACKUP', 'VERIFY', 'GC'))
);
CREATE INDEX policy_runs_policy ON policy_runs (policy, scheduled_at);

-- The appliance (ApplianceNode) that runs a job: at start an appliance abandons only its own
-- unfinished jobs, not those another appliance on a shared catalog is running. Null for rows
-- written before this column existed.
ALTER TABLE jobs ADD COLUMN node VARCHAR(200);
