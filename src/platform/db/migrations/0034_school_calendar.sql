-- 0034 The school calendar behind the statutory clocks (issues 17, 18, 19): a school's terms and
-- the days inside them it is closed, and bank holidays an operator loads from GOV.UK's list beyond
-- those bundled in src/shared/calendar.ts. Read by core/calendar.ts; clocks are worked out by the
-- pure functions in src/shared/calendar.ts. Never edit this file once landed.
CREATE TABLE school_terms (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  CHECK (ends_on >= starts_on),
  CHECK (ends_on - starts_on <= 200),
  PRIMARY KEY (school_id, id)
);
CREATE INDEX school_terms_school ON school_terms (school_id, starts_on);

CREATE TABLE school_closed_days (
  school_id uuid NOT NULL REFERENCES schools(id),
  on_date date NOT NULL,
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 200),
  PRIMARY KEY (school_id, on_date)
);

ALTER TABLE school_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE school_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON school_terms USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE, DELETE ON school_terms TO lantern_app;

ALTER TABLE school_closed_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE school_closed_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON school_closed_days USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE, DELETE ON school_closed_days TO lantern_app;

-- Platform-wide, not a school's: written only by the operator's command (the owner), read by all.
CREATE TABLE bank_holidays (
  on_date date PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  loaded_at timestamptz NOT NULL
);
GRANT SELECT ON bank_holidays TO lantern_app;
