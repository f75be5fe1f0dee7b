-- 0020 Keeping and letting go, the first half (issue 15): the data-protection officer's role and
-- the `retention` capability, each school's retention schedule (its changes to the seeded English
-- schedule; the defaults themselves live in src/features/retention/schedule.ts) and legal holds.
-- Never edit this file once landed.

-- The data-protection officer: a role that joins the `dpo` group (retention, no record content).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('teacher', 'head_of_year', 'dsl', 'deputy_dsl', 'headteacher', 'school_admin',
                  'dpo'));
ALTER TABLE staff_groups DROP CONSTRAINT staff_groups_capabilities_check;
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_capabilities_check
  CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases',
                               'retention']::text[]);

-- Existing schools get what a new school is seeded with (core/access/default-groups.ts): the DSL
-- team and the headteacher hold `retention` (they approve destruction), and a `dpo` group that
-- holds only `retention`. Row-level security is forced even on the owner, so each school is
-- entered in turn. A school that already has a group of that name keeps it (ON CONFLICT).
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET capabilities = capabilities || ARRAY['retention']::text[]
      WHERE school_id = s AND key IN ('dsl', 'deputy_dsl', 'headteacher')
        AND NOT ('retention' = ANY (capabilities));
    INSERT INTO staff_groups (school_id, key, name, description, scope_kind, capabilities)
      VALUES (s, 'dpo', 'Data-protection officer',
              'The retention schedule, legal holds, the review queue and certificates; no records.',
              'school', ARRAY['retention']::text[])
      ON CONFLICT DO NOTHING;
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;

-- A school's own setting for one kind of record; a kind with no row follows the seeded schedule.
-- `years` is the period after the rule's trigger; `transfer_keeps` is what the school keeps of a
-- file it transferred (only for that kind).
CREATE TABLE retention_rules (
  school_id uuid NOT NULL REFERENCES schools(id),
  kind text NOT NULL CHECK (kind IN ('cp_pupil', 'transferred_file', 'staff_allegation',
                                     'staff_allegation_malicious', 'staff_low_level',
                                     'sar_breach', 'mis_leaver')),
  years integer NOT NULL CHECK (years BETWEEN 0 AND 100),
  action text NOT NULL CHECK (action IN ('review', 'destroy', 'anonymise')),
  transfer_keeps text CHECK (transfer_keeps IN ('nothing', 'sealed_copy', 'chronology_only')),
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (school_id, kind),
  FOREIGN KEY (school_id, updated_by) REFERENCES users (school_id, id)
);

-- Legal holds: what they cover (a pupil, a category, the records of a date range, or one record),
-- why (the kind of matter and its name, sealed: it may name people), who placed and who lifted
-- them. `standing` marks the hold every sexual-abuse category is under by default, which only
-- the data-protection officer may lift. Holds are never deleted: a lifted hold keeps its history.
CREATE TABLE retention_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  scope text NOT NULL CHECK (scope IN ('pupil', 'category', 'date_range', 'record')),
  pupil_id uuid,
  category_id uuid,
  concern_id uuid,
  from_date date,
  to_date date,
  matter text NOT NULL CHECK (matter IN ('litigation', 'police', 'public_inquiry',
                                         'subject_access', 'other')),
  reason bytea NOT NULL,
  standing boolean NOT NULL DEFAULT false,
  placed_by uuid,
  placed_at timestamptz NOT NULL DEFAULT now(),
  lifted_by uuid,
  lifted_at timestamptz,
  lift_reason bytea,
  CHECK ((scope = 'pupil') = (pupil_id IS NOT NULL)),
  CHECK ((scope = 'category') = (category_id IS NOT NULL)),
  CHECK ((scope = 'record') = (concern_id IS NOT NULL)),
  CHECK ((scope = 'date_range') = (from_date IS NOT NULL AND to_date IS NOT NULL)),
  CHECK (from_date IS NULL OR from_date <= to_date),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, category_id) REFERENCES categories (school_id, id),
  FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id),
  FOREIGN KEY (school_id, placed_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, lifted_by) REFERENCES users (school_id, id)
);
CREATE INDEX retention_holds_active_idx ON retention_holds (school_id) WHERE lifted_at IS NULL;
CREATE UNIQUE INDEX retention_holds_standing_key ON retention_holds (school_id, category_id)
  WHERE standing;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['retention_rules', 'retention_holds']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON retention_rules, retention_holds TO lantern_app;
