-- 0021 A concern's triage (issue 14): the DSL team's first decision on a new concern — triaged
-- with a risk level (low, medium, high) and a written reason, or no further action (with a
-- reason too). Each decision is a row, so the history is kept and shown in the chronology; the
-- concern's triage state is its newest row ("new" when it has none). The reason is sealed
-- (concern_triage.reason in sealed-columns.ts). Rows are only ever added. Never edit this file
-- once landed.
CREATE TABLE concern_triage (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('new', 'triaged', 'no_further_action')),
  risk text CHECK (risk IN ('low', 'medium', 'high')),
  reason bytea NOT NULL,
  decided_by uuid NOT NULL,
  decided_at timestamptz NOT NULL,
  FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id),
  -- A risk level belongs to a triaged concern, and a triaged concern has one.
  CHECK ((state = 'triaged') = (risk IS NOT NULL))
);
CREATE INDEX concern_triage_concern_idx ON concern_triage (school_id, concern_id, decided_at DESC, id);

ALTER TABLE concern_triage ENABLE ROW LEVEL SECURITY;
ALTER TABLE concern_triage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON concern_triage USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT ON concern_triage TO lantern_app;
