-- 0083 Concerns about adults, the rest of issue 19: pupils linked to a matter (shown on the
-- pupil's chronology only to the matter's readers, as an opaque marker), the school's list of
-- low-level concern themes and a low-level concern's theme (the patterns review's "2 with the
-- same theme"), the retention rule each classification and outcome puts the record under, and
-- the case manager's alerts: a new matter, a LADO clock nearing its deadline, and overdue.
-- Never edit this file once landed.

-- A pupil linked to a matter by its case manager. Nothing of the matter is on the pupil's own
-- records: features/staff-concerns/policy.ts decides who sees that the link exists.
CREATE TABLE staff_concern_pupils (
  school_id uuid NOT NULL REFERENCES schools(id),
  staff_concern_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  linked_by uuid NOT NULL,
  linked_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, staff_concern_id, pupil_id),
  FOREIGN KEY (school_id, staff_concern_id) REFERENCES staff_concerns (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id) ON DELETE CASCADE,
  FOREIGN KEY (school_id, linked_by) REFERENCES users (school_id, id)
);
CREATE INDEX staff_concern_pupils_pupil_idx ON staff_concern_pupils (school_id, pupil_id);
ALTER TABLE staff_concern_pupils ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_concern_pupils FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staff_concern_pupils USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- DELETE: a malicious allegation's removal clears its links with the rest of what followed it.
GRANT SELECT, INSERT, DELETE ON staff_concern_pupils TO lantern_app;

-- The school's themes for low-level concerns (KCSIE's examples by default), and a concern's theme.
ALTER TABLE staff_concern_settings ADD COLUMN themes text[] NOT NULL
  DEFAULT ARRAY['Over-familiarity or favouritism', 'Photographs or personal phones',
                'Alone with a pupil out of sight', 'Humiliating or demeaning language',
                'Contact outside school or online', 'Other']::text[];
ALTER TABLE staff_concerns ADD COLUMN theme text CHECK (theme IS NULL OR length(theme) BETWEEN 1 AND 60);
ALTER TABLE staff_concerns ADD CONSTRAINT staff_concerns_theme_low_level
  CHECK (theme IS NULL OR classification = 'low_level');

-- The retention rule (shared/retention.ts's kinds) the record is kept under, set by its triage and
-- its outcome (features/retention/staff-matters.ts).
ALTER TABLE staff_concerns ADD COLUMN retention_kind text
  CHECK (retention_kind IN ('staff_allegation', 'staff_allegation_malicious', 'staff_low_level'));

-- Each LADO alert is sent once per matter.
ALTER TABLE staff_concerns ADD COLUMN lado_soon_alerted_at timestamptz;
ALTER TABLE staff_concerns ADD COLUMN lado_overdue_alerted_at timestamptz;
CREATE INDEX staff_concerns_lado_due_idx ON staff_concerns (school_id, lado_due_at)
  WHERE lado_due_at IS NOT NULL AND lado_overdue_alerted_at IS NULL;

INSERT INTO alert_kinds (kind) VALUES ('staff_concern_new'), ('staff_concern_lado_due'),
  ('staff_concern_lado_overdue') ON CONFLICT DO NOTHING;
INSERT INTO alert_target_types (target_type) VALUES ('staff_concern') ON CONFLICT DO NOTHING;
