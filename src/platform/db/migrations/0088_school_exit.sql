-- 0088 A school's exit (issue 15): its data handed back as an encrypted archive, the school's
-- confirmation that it opened it, then the deletion of every row of the school, its keys and its
-- chain, with a certificate that outlives it. Never edit this file once landed.

-- Each export of a school: when, by which operator, the SHA-256 of the archive's manifest and an
-- argon2id hash of the confirmation code written only inside the archive (never the code, never
-- the password). A school's own row: deleted with the school.
CREATE TABLE school_exports (
  id uuid PRIMARY KEY,
  school_id uuid NOT NULL REFERENCES schools(id),
  exported_at timestamptz NOT NULL,
  exported_by text NOT NULL CHECK (length(exported_by) BETWEEN 1 AND 200),
  manifest_sha256 text NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  code_hash text NOT NULL,
  files integer NOT NULL CHECK (files >= 0),
  archive_bytes bigint NOT NULL CHECK (archive_bytes >= 0),
  confirmed_at timestamptz,
  UNIQUE (school_id, id)
);
CREATE INDEX school_exports_school_idx ON school_exports (school_id, exported_at DESC);
ALTER TABLE school_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE school_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON school_exports USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- Read only at request time (the operator's commands work as the owner).
GRANT SELECT ON school_exports TO lantern_app;

-- A school's deletion, scheduled and then done: platform-level (no school_id, no foreign key), so
-- the record of the deletion and its certificate outlive the school. It names the school only by
-- its id and name (a school's name is public), never a person or a record.
CREATE TABLE school_deletions (
  id uuid PRIMARY KEY,
  school uuid NOT NULL UNIQUE,
  school_name text NOT NULL,
  requested_at timestamptz NOT NULL,
  requested_by text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
  due_by timestamptz NOT NULL,
  basis text NOT NULL CHECK (basis IN ('confirmed_export', 'override')),
  export_id uuid,
  override_reason text CHECK (override_reason IS NULL OR length(override_reason) BETWEEN 10 AND 1000),
  CHECK ((basis = 'override') = (override_reason IS NOT NULL)),
  deleted_at timestamptz,
  certificate jsonb,
  certificate_sha256 text,
  CHECK ((deleted_at IS NULL) = (certificate IS NULL) AND (deleted_at IS NULL) = (certificate_sha256 IS NULL))
);
-- Nothing at request time reads or writes it: only the owner (operator commands, the nightly job).
REVOKE ALL ON school_deletions FROM lantern_app;

-- A file received from a school that has since left Lantern keeps its sender's name as sent; the
-- link to the sending school's row goes with that school.
ALTER TABLE transfer_inbox ALTER COLUMN from_school_id DROP NOT NULL;
