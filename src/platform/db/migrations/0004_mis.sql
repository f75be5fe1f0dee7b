-- 0004 MIS (issue 5): every pupil field in the data-sharing agreement, SEN need and provision
-- history, contacts and their links to pupils, staff from the MIS, groups and memberships,
-- attendance codes and session marks, sync runs, the MIS events of the chronology, local
-- overrides and contact restrictions that a sync never overwrites, per-school API keys (hashed)
-- and the pull connector (token sealed with the school's key). Never edit this file once landed.

ALTER TABLE pupils
  ADD COLUMN legal_first_name text CHECK (length(legal_first_name) <= 200),
  ADD COLUMN legal_last_name text CHECK (length(legal_last_name) <= 200),
  ADD COLUMN middle_names text CHECK (length(middle_names) <= 200),
  ADD COLUMN display_name text CHECK (length(display_name) <= 400),
  ADD COLUMN admission_number text,
  ADD COLUMN uln text,
  ADD COLUMN entry_date date,
  ADD COLUMN leaving_date date,
  ADD COLUMN sen_status text,
  ADD COLUMN fsm_eligible boolean,
  ADD COLUMN fsm_end_date date,
  ADD COLUMN pupil_premium boolean,
  ADD COLUMN eal boolean,
  ADD COLUMN gifted boolean,
  ADD COLUMN religion_code text,
  ADD COLUMN religion text,
  ADD COLUMN ethnicity_code text,
  ADD COLUMN ethnicity text,
  ADD COLUMN first_language_code text,
  ADD COLUMN first_language text,
  ADD COLUMN address jsonb,
  ADD COLUMN attendance_stats jsonb,
  ADD COLUMN sibling_mis_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN photo jsonb,
  -- A hash of the record as the MIS last sent it: the same record twice changes nothing.
  ADD COLUMN mis_hash text;
CREATE INDEX pupils_school_upn_idx ON pupils (school_id, upn) WHERE upn IS NOT NULL;

ALTER TABLE users ADD COLUMN mis_id text;

CREATE TABLE pupil_sen_needs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  code text,
  description text,
  rank integer,
  starts_on date,
  ends_on date
);
CREATE INDEX pupil_sen_needs_pupil_idx ON pupil_sen_needs (school_id, pupil_id);

CREATE TABLE pupil_sen_provisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  code text,
  description text,
  starts_on date,
  ends_on date
);
CREATE INDEX pupil_sen_provisions_pupil_idx ON pupil_sen_provisions (school_id, pupil_id);

CREATE TABLE contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  mis_id text NOT NULL,
  title text,
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 200),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 200),
  legal_first_name text,
  legal_last_name text,
  addresses jsonb NOT NULL DEFAULT '[]'::jsonb,
  phones jsonb NOT NULL DEFAULT '[]'::jsonb,
  emails jsonb NOT NULL DEFAULT '[]'::jsonb,
  mis_hash text,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_school_mis_key ON contacts (school_id, mis_id);

CREATE TABLE pupil_contacts (
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  contact_id uuid NOT NULL REFERENCES contacts(id),
  relationship text,
  priority integer,
  parental_responsibility boolean,
  lives_with_pupil boolean,
  court_order boolean,
  PRIMARY KEY (pupil_id, contact_id)
);
CREATE INDEX pupil_contacts_contact_idx ON pupil_contacts (school_id, contact_id);

CREATE TABLE mis_staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  mis_id text NOT NULL,
  user_id uuid REFERENCES users(id),
  title text,
  first_name text NOT NULL,
  last_name text NOT NULL,
  legal_first_name text,
  legal_last_name text,
  email text,
  mis_hash text,
  left_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mis_staff_school_mis_key ON mis_staff (school_id, mis_id);

CREATE TABLE mis_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  mis_id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('year', 'registration', 'teaching', 'other')),
  source_type text,
  mis_hash text,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mis_groups_school_mis_key ON mis_groups (school_id, mis_id);

CREATE TABLE mis_group_members (
  school_id uuid NOT NULL REFERENCES schools(id),
  group_id uuid NOT NULL REFERENCES mis_groups(id),
  member_kind text NOT NULL CHECK (member_kind IN ('pupil', 'staff')),
  member_id uuid NOT NULL,
  PRIMARY KEY (group_id, member_kind, member_id)
);
CREATE INDEX mis_group_members_member_idx ON mis_group_members (school_id, member_id);

CREATE TABLE attendance_codes (
  school_id uuid NOT NULL REFERENCES schools(id),
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 10),
  description text,
  meaning text,
  physical_meaning text,
  category text NOT NULL,
  PRIMARY KEY (school_id, code)
);

-- About 240,000 rows per school per term: four narrow columns and the key, nothing else.
CREATE TABLE attendance_marks (
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  on_date date NOT NULL,
  pm boolean NOT NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 10),
  PRIMARY KEY (school_id, pupil_id, on_date, pm)
);

CREATE TABLE mis_sync_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  source text NOT NULL CHECK (source IN ('cli', 'push', 'pull')),
  format text NOT NULL CHECK (format IN ('wonde', 'xporter', 'csv')),
  kind text NOT NULL CHECK (kind IN ('full', 'delta')),
  batch_id text CHECK (length(batch_id) <= 200),
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  added integer NOT NULL DEFAULT 0,
  changed integer NOT NULL DEFAULT 0,
  archived integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  marks integer NOT NULL DEFAULT 0,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  conflicts jsonb NOT NULL DEFAULT '[]'::jsonb,
  error text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mis_sync_runs_school_idx ON mis_sync_runs (school_id, started_at DESC);
CREATE UNIQUE INDEX mis_sync_runs_batch_key ON mis_sync_runs (school_id, batch_id)
  WHERE batch_id IS NOT NULL AND status = 'applied';

-- MIS events for the chronology: joined, left, returned, changed form or year.
CREATE TABLE pupil_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  run_id uuid REFERENCES mis_sync_runs(id),
  kind text NOT NULL CHECK (kind IN ('joined', 'left', 'returned', 'changed_form', 'changed_year')),
  happened_at timestamptz NOT NULL,
  from_value text,
  to_value text
);
CREATE INDEX pupil_events_pupil_idx ON pupil_events (school_id, pupil_id, happened_at);

-- A field corrected in Lantern: the sync leaves it alone and reports the difference.
CREATE TABLE mis_overrides (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  field text NOT NULL CHECK (length(field) BETWEEN 1 AND 60),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE UNIQUE INDEX mis_overrides_live_key ON mis_overrides (pupil_id, field) WHERE removed_at IS NULL;

-- Set in Lantern, never by the MIS: e.g. a court order restricting contact or collection.
-- The note is sealed like record text.
CREATE TABLE contact_restrictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  contact_id uuid NOT NULL REFERENCES contacts(id),
  kind text NOT NULL CHECK (kind IN ('no_contact', 'no_collection', 'no_contact_or_collection')),
  court_order boolean NOT NULL DEFAULT false,
  note bytea,
  starts_on date,
  ends_on date,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE INDEX contact_restrictions_pupil_idx ON contact_restrictions (school_id, pupil_id);

CREATE TABLE mis_api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  key_hash bytea NOT NULL UNIQUE,
  prefix text NOT NULL,
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX mis_api_keys_school_idx ON mis_api_keys (school_id);

CREATE TABLE mis_connectors (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  base_url text NOT NULL CHECK (length(base_url) BETWEEN 8 AND 2000),
  token bytea NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  schedule text NOT NULL DEFAULT 'nightly' CHECK (schedule IN ('nightly', 'hourly', 'off')),
  run_hour integer NOT NULL DEFAULT 2 CHECK (run_hour BETWEEN 0 AND 23),
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_status text,
  locked_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pupil_sen_needs', 'pupil_sen_provisions', 'contacts', 'pupil_contacts',
                           'mis_staff', 'mis_groups', 'mis_group_members', 'attendance_codes',
                           'attendance_marks', 'mis_sync_runs', 'pupil_events', 'mis_overrides',
                           'contact_restrictions', 'mis_api_keys', 'mis_connectors']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON pupil_sen_needs, pupil_sen_provisions, pupil_contacts,
  mis_group_members, attendance_codes, attendance_marks TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON contacts, mis_staff, mis_groups, mis_sync_runs, mis_overrides,
  contact_restrictions, mis_api_keys, mis_connectors TO lantern_app;
GRANT DELETE ON pupil_flags TO lantern_app;
GRANT SELECT, INSERT ON pupil_events TO lantern_app;

-- Before the school is known, a pushed API key is looked up by its hash alone (one exact key).
CREATE FUNCTION lantern_find_mis_key(p_hash bytea)
  RETURNS TABLE (key_id uuid, school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id FROM mis_api_keys WHERE key_hash = p_hash AND revoked_at IS NULL $$;

-- The scheduler's only view across schools: which connectors are due, nothing else.
CREATE FUNCTION lantern_due_connectors(p_now timestamptz)
  RETURNS TABLE (school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT school_id FROM mis_connectors
        WHERE enabled AND schedule <> 'off' AND next_run_at IS NOT NULL AND next_run_at <= p_now
          AND (locked_until IS NULL OR locked_until < p_now) $$;

REVOKE ALL ON FUNCTION lantern_find_mis_key(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_due_connectors(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_mis_key(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_due_connectors(timestamptz) TO lantern_app;
