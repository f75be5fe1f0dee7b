-- 0001 Foundation: trusts and schools as tenants, staff and sessions, pupils, categories,
-- concerns (ciphertext only), and the hash-chained audit trail. Row-level security is FORCEd on
-- every tenant table for lantern_app, a role that owns nothing and cannot bypass it.
-- Never edit this file once landed: add a new numbered migration instead.

DO $$
BEGIN
  CREATE ROLE lantern_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- The tenant of the current transaction, set with set_config('lantern.school_id', id, true).
CREATE FUNCTION lantern_current_school() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('lantern.school_id', true), '')::uuid $$;

CREATE TABLE trusts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schools (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trust_id uuid REFERENCES trusts(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_demo boolean NOT NULL DEFAULT false,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Per-school data keys, stored only wrapped by the master key (which the database never holds).
CREATE TABLE school_keys (
  school_id uuid NOT NULL REFERENCES schools(id),
  purpose text NOT NULL CHECK (purpose IN ('data', 'search')),
  version integer NOT NULL CHECK (version > 0),
  wrapped bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (school_id, purpose, version)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('teacher', 'head_of_year', 'dsl', 'deputy_dsl', 'headteacher', 'school_admin')),
  password_hash text,
  disabled_at timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_school_idx ON users (school_id);

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  token_hash bytea NOT NULL UNIQUE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  elevated_until timestamptz,
  ip text,
  user_agent text,
  ended_at timestamptz,
  end_reason text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE pupils (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  mis_id text,
  upn text,
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 200),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 200),
  preferred_name text CHECK (length(preferred_name) <= 200),
  date_of_birth date,
  gender text,
  year_group text,
  form text,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pupils_school_name_idx ON pupils (school_id, lower(last_name), lower(first_name));
CREATE UNIQUE INDEX pupils_school_mis_key ON pupils (school_id, mis_id) WHERE mis_id IS NOT NULL;

-- Vulnerability flags, with dates; from the MIS or set in Lantern.
CREATE TABLE pupil_flags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  flag text NOT NULL CHECK (flag IN ('cp_plan', 'cin', 'lac', 'sen_support', 'ehcp', 'fsm',
                                     'pupil_premium', 'eal', 'young_carer')),
  source text NOT NULL DEFAULT 'lantern' CHECK (source IN ('mis', 'lantern')),
  starts_on date,
  ends_on date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pupil_flags_pupil_idx ON pupil_flags (school_id, pupil_id);

CREATE TABLE categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid REFERENCES categories(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  colour text NOT NULL DEFAULT '#4b5563' CHECK (colour ~ '^#[0-9a-fA-F]{6}$'),
  guidance text NOT NULL DEFAULT '',
  restricted boolean NOT NULL DEFAULT false,
  sort_order integer NOT NULL DEFAULT 0,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_school_name_key ON categories (school_id, parent_id, lower(name));

CREATE TABLE concerns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  author_id uuid NOT NULL REFERENCES users(id),
  happened_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  location bytea,
  body bytea NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX concerns_school_happened_idx ON concerns (school_id, happened_at DESC);
CREATE INDEX concerns_author_idx ON concerns (school_id, author_id, happened_at DESC);

CREATE TABLE concern_categories (
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL REFERENCES concerns(id),
  category_id uuid NOT NULL REFERENCES categories(id),
  PRIMARY KEY (concern_id, category_id)
);
CREATE INDEX concern_categories_category_idx ON concern_categories (school_id, category_id);

CREATE TABLE concern_pupils (
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL REFERENCES concerns(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  role text NOT NULL DEFAULT 'subject'
    CHECK (role IN ('subject', 'victim', 'alleged_perpetrator', 'witness', 'other')),
  PRIMARY KEY (concern_id, pupil_id)
);
CREATE INDEX concern_pupils_pupil_idx ON concern_pupils (school_id, pupil_id);

-- The audit trail: one hash chain per school (the all-zero id is the platform's own chain).
-- lantern_app may insert and read entries, never update or delete them.
CREATE TABLE audit_events (
  school_id uuid NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_label text NOT NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  ip text,
  user_agent text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (school_id, seq)
);
CREATE INDEX audit_events_target_idx ON audit_events (school_id, target_type, target_id);

CREATE TABLE audit_heads (
  school_id uuid PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL
);

-- Row-level security on every tenant table.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['school_keys', 'users', 'sessions', 'pupils', 'pupil_flags', 'categories', 'concerns',
                           'concern_categories', 'concern_pupils', 'audit_events', 'audit_heads']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;

ALTER TABLE schools ENABLE ROW LEVEL SECURITY;
ALTER TABLE schools FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON schools USING (id = lantern_current_school());
ALTER TABLE trusts ENABLE ROW LEVEL SECURITY;
ALTER TABLE trusts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON trusts
  USING (id IN (SELECT trust_id FROM schools WHERE id = lantern_current_school()));

GRANT SELECT ON trusts, schools TO lantern_app;
GRANT UPDATE (settings) ON schools TO lantern_app;
GRANT SELECT ON school_keys TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON users, sessions, pupils, pupil_flags, categories, concerns TO lantern_app;
GRANT SELECT, INSERT, DELETE ON concern_categories, concern_pupils TO lantern_app;
GRANT SELECT, INSERT ON audit_events TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON audit_heads TO lantern_app;

-- Before a session exists the tenant is unknown. These two functions are the only ways across
-- schools: each answers for one exact email or one exact session-token hash, nothing more.
CREATE FUNCTION lantern_find_login(p_email text)
  RETURNS TABLE (user_id uuid, school_id uuid, password_hash text, disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id, password_hash, disabled_at IS NOT NULL
        FROM users WHERE lower(email) = lower(p_email) $$;

CREATE FUNCTION lantern_find_session(p_token_hash bytea)
  RETURNS TABLE (session_id uuid, school_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id, user_id FROM sessions
        WHERE token_hash = p_token_hash AND ended_at IS NULL $$;

REVOKE ALL ON FUNCTION lantern_find_login(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_session(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_login(text) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_session(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_current_school() TO lantern_app;
GRANT USAGE ON SCHEMA public TO lantern_app;
