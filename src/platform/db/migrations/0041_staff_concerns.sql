-- 0041 Concerns about adults (issue 19): low-level concerns and allegations about staff, supply
-- and agency workers, volunteers, contractors and governors, kept in their own tables so that
-- nothing about them reaches a pupil's chronology, search, reports or exports. Every free-text
-- field is sealed (sealed-columns.ts). Who reads a matter is decided by
-- src/features/staff-concerns/policy.ts: the case manager's team it was routed to, never the
-- person it names. Never edit this file once landed.

-- The chair of governors: a role that joins only the `chair_of_governors` group.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('teacher', 'head_of_year', 'dsl', 'deputy_dsl', 'headteacher', 'school_admin',
                  'dpo', 'chair_of_governors'));
-- The list below is the union of every capability that issues 17, 19 and 20 add (migrations
-- 0035, 0041 and 0044 each set the whole list, so no order of applying them drops another's).
ALTER TABLE staff_groups DROP CONSTRAINT staff_groups_capabilities_check;
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_capabilities_check
  CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases',
                               'retention', 'data_protection', 'staff_concerns', 'audit']::text[]);

-- Existing schools get what a new school is seeded with (core/access/default-groups.ts).
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET capabilities = capabilities || ARRAY['staff_concerns']::text[]
      WHERE school_id = s AND key = 'headteacher' AND NOT ('staff_concerns' = ANY (capabilities));
    INSERT INTO staff_groups (school_id, key, name, description, scope_kind, capabilities)
      VALUES (s, 'chair_of_governors', 'Chair of governors',
              'Case manager for concerns about the headteacher (issue 19); no pupil records.',
              'school', ARRAY['staff_concerns']::text[])
      ON CONFLICT DO NOTHING;
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;

-- One concern or allegation. `subject_user_id` names a member of the school's staff; anyone else
-- (a supply or agency worker, volunteer, contractor or governor without an account) is named in
-- sealed `subject_name`. `routed_to` is the case manager's team, fixed when raised. A malicious
-- allegation is removed from the member's file: its subject and text are cleared and
-- `removed_at` set, leaving only the anonymised fact that one existed (the count).
CREATE TABLE staff_concerns (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  raised_by uuid NOT NULL,
  raised_at timestamptz NOT NULL,
  subject_kind text NOT NULL
    CHECK (subject_kind IN ('staff', 'supply', 'agency', 'volunteer', 'contractor', 'governor')),
  subject_user_id uuid,
  subject_name bytea,
  agency_name bytea,
  what_happened bytea,
  withhold_name boolean NOT NULL DEFAULT false,
  routed_to text NOT NULL CHECK (routed_to IN ('headteacher', 'chair')),
  classification text
    CHECK (classification IN ('low_level', 'possibly_meets_threshold', 'not_a_concern')),
  rationale bytea,
  triaged_by uuid,
  triaged_at timestamptz,
  lado_due_at timestamptz,
  outcome text
    CHECK (outcome IN ('substantiated', 'false', 'malicious', 'unsubstantiated', 'unfounded')),
  outcome_by uuid,
  outcome_at timestamptz,
  copy_given_on date,
  removed_at timestamptz,
  PRIMARY KEY (school_id, id),
  CHECK (removed_at IS NOT NULL OR what_happened IS NOT NULL),
  CHECK (removed_at IS NOT NULL OR subject_user_id IS NOT NULL OR subject_name IS NOT NULL),
  FOREIGN KEY (school_id, raised_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, subject_user_id) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, triaged_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, outcome_by) REFERENCES users (school_id, id)
);
CREATE INDEX staff_concerns_subject_idx ON staff_concerns (school_id, subject_user_id);
CREATE INDEX staff_concerns_raised_by_idx ON staff_concerns (school_id, raised_by);

-- The LADO contact: who, when, their advice and reference, and what followed. Sealed: it names
-- people and decisions about them.
CREATE TABLE staff_concern_lado_contacts (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  staff_concern_id uuid NOT NULL,
  officer bytea NOT NULL,
  contacted_at timestamptz NOT NULL,
  advice bytea NOT NULL,
  reference bytea,
  strategy_meeting_on date,
  police_involved boolean NOT NULL DEFAULT false,
  social_care_involved boolean NOT NULL DEFAULT false,
  suspension bytea,
  review_on date,
  recorded_by uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, staff_concern_id) REFERENCES staff_concerns (school_id, id),
  FOREIGN KEY (school_id, recorded_by) REFERENCES users (school_id, id)
);

-- Work a matter raises by itself: telling a supply worker's agency.
CREATE TABLE staff_concern_tasks (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  staff_concern_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('inform_agency')),
  due_on date NOT NULL,
  done_at timestamptz,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, staff_concern_id) REFERENCES staff_concerns (school_id, id)
);

-- The school's own settings for this area; a school with no row has the defaults.
CREATE TABLE staff_concern_settings (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  lado_due_time text NOT NULL DEFAULT '17:00' CHECK (lado_due_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone text NOT NULL DEFAULT 'Europe/London',
  pattern_count integer NOT NULL DEFAULT 3 CHECK (pattern_count BETWEEN 2 AND 20),
  pattern_same_theme integer NOT NULL DEFAULT 2 CHECK (pattern_same_theme BETWEEN 2 AND 20)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['staff_concerns', 'staff_concern_lado_contacts', 'staff_concern_tasks',
                           'staff_concern_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON staff_concerns, staff_concern_tasks, staff_concern_settings
  TO lantern_app;
-- DELETE only where a malicious allegation's removal clears what followed it.
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_concern_lado_contacts TO lantern_app;
GRANT DELETE ON staff_concern_tasks TO lantern_app;
