-- 0091 A school's exit in the app (issue 15): an administrator asks for the school's export, a
-- background job writes it (features/school-exit/app-export.ts), and the archive is offered once.
-- One row per request. What it keeps: who asked and when, the job's state and progress, the
-- export it produced (school_exports), and a SHA-256 of the one-time download token — never the
-- token. The archive's password (shown once on the page that asked) is kept here only while the
-- job is queued, sealed (AES-256-GCM under a key derived from the master key, bound to the row's
-- id): the runner that claims the job clears it in the same statement, and a job that fails or
-- is swept clears it too (a CHECK holds it to queued rows). The
-- archive itself lies in the data folder under the row's id until it is downloaded or expires
-- (24 hours after it is ready), then it is deleted and the row says so. A school's own rows:
-- deleted with the school. Never edit this file once landed.
CREATE TABLE school_export_jobs (
  id uuid PRIMARY KEY,
  school_id uuid NOT NULL REFERENCES schools(id),
  requested_by uuid NOT NULL,
  -- Who asked, as the archive's README names the operator.
  requested_by_name text NOT NULL DEFAULT '',
  requested_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'downloaded', 'expired', 'failed')),
  -- Steps done of the steps there are (a table each, then the chronologies, then the archive).
  progress integer NOT NULL DEFAULT 0 CHECK (progress >= 0),
  progress_total integer NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
  -- When the job last moved (a running job that has not moved for long was left by a process
  -- that stopped, and may be taken over).
  updated_at timestamptz NOT NULL,
  token_sha256 text NOT NULL CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  export_id uuid,
  archive_bytes bigint CHECK (archive_bytes IS NULL OR archive_bytes >= 0),
  ready_at timestamptz,
  expires_at timestamptz,
  downloaded_at timestamptz,
  expired_at timestamptz,
  password_sealed bytea,
  password_key_id text,
  -- A short code when the job failed (never a message, which might quote a record).
  failure text CHECK (failure IS NULL OR failure ~ '^[a-z0-9_]{1,40}$'),
  FOREIGN KEY (school_id, requested_by) REFERENCES users (school_id, id),
  -- A key with the school in it, as every tenant table has (ready for distribution by school).
  UNIQUE (school_id, id),
  CHECK ((state IN ('ready', 'downloaded', 'expired')) = (ready_at IS NOT NULL)),
  CHECK (password_sealed IS NULL OR state = 'queued'),
  CHECK ((password_sealed IS NULL) = (password_key_id IS NULL))
);
CREATE INDEX school_export_jobs_school_idx ON school_export_jobs (school_id, requested_at DESC);
-- One export prepared at a time per school: a second request meets this index (409).
CREATE UNIQUE INDEX school_export_jobs_one_busy ON school_export_jobs (school_id)
  WHERE state IN ('queued', 'running');
CREATE INDEX school_export_jobs_expiry_idx ON school_export_jobs (expires_at) WHERE state = 'ready';
ALTER TABLE school_export_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE school_export_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON school_export_jobs USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- Asked, read and downloaded at request time; written by the job as the owner.
GRANT SELECT, INSERT, UPDATE ON school_export_jobs TO lantern_app;
