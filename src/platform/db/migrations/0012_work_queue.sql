-- 0012 Deferred work (issue 11, finding 12): a durable queue of work done after a request has been
-- answered — emails, and the look-up, link and audit entry of a "forgotten password" — so that an
-- answer never waits for a mail server and takes the same time whether or not an account exists.
-- Not a tenant table: work is queued before the school is known. Each payload is sealed
-- (AES-256-GCM under a key derived from the master key named by master_key_id, bound to the row's
-- id and kind), so the table holds no address, link or message in clear; last_error is a short
-- code, never a message. A row is claimed under a lease (claimed_by, claimed_until) with
-- FOR UPDATE SKIP LOCKED, so two processes never run the same work at once; a process that dies
-- mid-work leaves a lease that expires and the work is picked up again. Done work is deleted.
-- Any transaction may queue work (a school's own, for an email after its change commits); only
-- the platform's transactions (before a school is known, where the worker runs) may read, claim
-- or delete it. Never edit this file once landed.

CREATE TABLE work_queue (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 60),
  sealed bytea NOT NULL,
  master_key_id text NOT NULL CHECK (master_key_id ~ '^[0-9a-f]{16}$'),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  claimed_by text CHECK (length(claimed_by) <= 60),
  claimed_until timestamptz,
  last_error text CHECK (last_error ~ '^[a-z0-9_]{1,40}$'),
  created_at timestamptz NOT NULL
);
CREATE INDEX work_queue_due_idx ON work_queue (next_attempt_at);

ALTER TABLE work_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY queue_any ON work_queue FOR INSERT WITH CHECK (true);
CREATE POLICY worker_read ON work_queue FOR SELECT
  USING (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid);
CREATE POLICY worker_claim ON work_queue FOR UPDATE
  USING (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid)
  WITH CHECK (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid);
CREATE POLICY worker_done ON work_queue FOR DELETE
  USING (lantern_current_school() = '00000000-0000-0000-0000-000000000000'::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON work_queue TO lantern_app;
