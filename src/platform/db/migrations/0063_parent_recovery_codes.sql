-- 0063 Parents' recovery codes (issue 21, finishing): ten single-use codes shown once when a parent
-- first sets up a second factor (and when they make new ones), kept only as keyed hashes (the key
-- derived from the school's search key, which the database never holds: recovery-codes.ts). A used
-- code keeps its row with used_at set; making new codes deletes the old ones, as does a staff reset
-- of the parent's second factor. Never edit this file once landed.
CREATE TABLE parent_recovery_codes (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid NOT NULL,
  code_hash text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (school_id, id),
  UNIQUE (id),
  FOREIGN KEY (school_id, parent_id) REFERENCES parent_accounts (school_id, id)
);
CREATE INDEX parent_recovery_codes_parent_idx ON parent_recovery_codes (school_id, parent_id)
  WHERE used_at IS NULL;

ALTER TABLE parent_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE parent_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON parent_recovery_codes
  USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE, DELETE ON parent_recovery_codes TO lantern_app;
