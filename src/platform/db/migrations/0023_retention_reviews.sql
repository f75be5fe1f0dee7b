-- 0023 The retention review queue (issue 15): records put before their reviewers 30 days before
-- their date by the nightly sweep, each decided — destroy (two approvers for a child-protection
-- record), keep until a new date with a reason (sealed), or hold. Never edit this file once landed.

ALTER TABLE retention_holds ADD CONSTRAINT retention_holds_school_id_id_key UNIQUE (school_id, id);

-- A review names its record by id without a foreign key on purpose: the review (and its
-- approvals) is the lasting account of what was decided about a record, and outlives it once
-- destroyed. Only the sweep writes reviews, from the school's own records.
CREATE TABLE retention_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cp_pupil', 'transferred_file', 'staff_allegation',
                                     'staff_allegation_malicious', 'staff_low_level',
                                     'sar_breach', 'mis_leaver')),
  action text NOT NULL CHECK (action IN ('review', 'destroy', 'anonymise')),
  due_on date NOT NULL,
  queued_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'kept', 'held', 'destroyed')),
  kept_until date,
  keep_reason bytea,
  hold_id uuid,
  decided_by uuid,
  decided_at timestamptz,
  CHECK (status <> 'kept' OR (kept_until IS NOT NULL AND keep_reason IS NOT NULL)),
  CHECK (status <> 'held' OR hold_id IS NOT NULL),
  UNIQUE (school_id, id),
  FOREIGN KEY (school_id, hold_id) REFERENCES retention_holds (school_id, id),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id)
);
CREATE UNIQUE INDEX retention_reviews_open_key ON retention_reviews (school_id, concern_id)
  WHERE status IN ('pending', 'approved');
CREATE INDEX retention_reviews_concern_idx ON retention_reviews (school_id, concern_id);

-- Approvals of a record's destruction: one row per approver, each in the capacity they approved
-- in. The primary key makes "the same person approving twice" impossible as well as refused.
CREATE TABLE retention_approvals (
  school_id uuid NOT NULL REFERENCES schools(id),
  review_id uuid NOT NULL,
  approver_id uuid NOT NULL,
  capacity text NOT NULL CHECK (capacity IN ('dsl_team', 'headteacher', 'dpo')),
  approved_at timestamptz NOT NULL,
  PRIMARY KEY (review_id, approver_id),
  FOREIGN KEY (school_id, review_id) REFERENCES retention_reviews (school_id, id),
  FOREIGN KEY (school_id, approver_id) REFERENCES users (school_id, id)
);

-- The day each school was last swept, so the minute job sweeps each school once a day.
CREATE TABLE retention_sweeps (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  swept_on date NOT NULL
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['retention_reviews', 'retention_approvals', 'retention_sweeps']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON retention_reviews TO lantern_app;
GRANT SELECT, INSERT ON retention_approvals TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON retention_sweeps TO lantern_app;
