-- 0028 The periodic jobs' leases (issue 16): several Lantern processes may share one PostgreSQL,
-- and each periodic job (the minute job's due work, session sweep and retention sweep, the MIS
-- pulls, planner statistics) must run in one of them at a time, and about once per period across
-- all of them. A process claims a job's row with one conditional upsert (platform/jobs/lease.ts):
-- it wins only if no lease is current and the last run started at least the period ago, so the
-- claim is decided by PostgreSQL's row lock and works the same on the embedded engine. A process
-- that dies mid-run leaves a lease that expires. finished_at, runs and failures feed the metrics
-- (job lag). Not a tenant table: jobs concern no one school; only the platform's transactions may
-- read or claim it. last_error is a short code, never a message. Never edit this file once landed.

CREATE TABLE job_runs (
  job text PRIMARY KEY CHECK (job ~ '^[a-z][a-z0-9_]*$' AND length(job) <= 40),
  holder uuid,
  lease_until timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  runs bigint NOT NULL DEFAULT 0 CHECK (runs >= 0),
  failures bigint NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_error text CHECK (last_error ~ '^[a-z0-9_]{1,40}$')
);

ALTER TABLE job_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_platform ON job_runs FOR ALL
  USING (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid)
  WITH CHECK (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid);

GRANT SELECT, INSERT, UPDATE ON job_runs TO lantern_app;
