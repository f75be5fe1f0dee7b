-- 0002 Identity and access (issue 3): the permission model each school configures (staff groups,
-- memberships, per-category access, scopes, capabilities), second factors (TOTP secrets sealed
-- with the school's data key, hashed recovery codes, WebAuthn credentials), password history,
-- single-use emailed links, sign-in throttling and locks, known devices, and the session states
-- needed for two-tier sign-in and step-up. Never edit this file once landed.

-- Account lifecycle on the user row.
ALTER TABLE users
  ADD COLUMN password_changed_at timestamptz,
  ADD COLUMN invited_at timestamptz,
  ADD COLUMN activated_at timestamptz,
  ADD COLUMN reactivated_at timestamptz,
  ADD COLUMN locked_until timestamptz,
  ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0;

-- A session is either full or waiting for its second factor; a WebAuthn challenge is held here,
-- server-side, for the one ceremony in progress.
ALTER TABLE sessions
  ADD COLUMN stage text NOT NULL DEFAULT 'full' CHECK (stage IN ('full', 'second_factor')),
  ADD COLUMN challenge text,
  ADD COLUMN challenge_purpose text CHECK (challenge_purpose IN ('register', 'authenticate')),
  ADD COLUMN challenge_expires_at timestamptz;

CREATE TABLE staff_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  key text NOT NULL CHECK (key ~ '^[a-z0-9_]{1,60}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  non_restricted_default text NOT NULL DEFAULT 'none'
    CHECK (non_restricted_default IN ('none', 'add', 'view')),
  restricted_default text NOT NULL DEFAULT 'none'
    CHECK (restricted_default IN ('none', 'add', 'view')),
  scope_kind text NOT NULL DEFAULT 'school' CHECK (scope_kind IN ('school', 'year_groups', 'own_groups')),
  scope_year_groups text[] NOT NULL DEFAULT '{}',
  capabilities text[] NOT NULL DEFAULT '{}'
    CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases']::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_groups_school_key ON staff_groups (school_id, key);
CREATE UNIQUE INDEX staff_groups_school_name ON staff_groups (school_id, lower(name));

CREATE TABLE staff_group_members (
  school_id uuid NOT NULL REFERENCES schools(id),
  group_id uuid NOT NULL REFERENCES staff_groups(id),
  user_id uuid NOT NULL REFERENCES users(id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX staff_group_members_user_idx ON staff_group_members (school_id, user_id);

-- Per group and category: view, add or none (overrides the group's defaults either way).
CREATE TABLE group_category_access (
  school_id uuid NOT NULL REFERENCES schools(id),
  group_id uuid NOT NULL REFERENCES staff_groups(id),
  category_id uuid NOT NULL REFERENCES categories(id),
  access text NOT NULL CHECK (access IN ('none', 'add', 'view')),
  PRIMARY KEY (group_id, category_id)
);

-- A member of staff's own teaching and registration groups, by reference ('form:7A', or a
-- teaching-group id from the MIS), for the own_groups scope.
CREATE TABLE staff_teaching_groups (
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  group_ref text NOT NULL CHECK (length(group_ref) BETWEEN 1 AND 200),
  source text NOT NULL DEFAULT 'lantern' CHECK (source IN ('mis', 'lantern')),
  PRIMARY KEY (user_id, group_ref)
);
CREATE INDEX staff_teaching_groups_school_idx ON staff_teaching_groups (school_id, user_id);

-- Previous password hashes (Argon2id), newest first by created_at: never updated or deleted.
CREATE TABLE password_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_user_idx ON password_history (school_id, user_id, created_at DESC);

-- One authenticator per user. The secret is sealed with the school's data key (bound to the
-- user id); last_step is the newest RFC 6238 step accepted, so no code works twice.
CREATE TABLE totp_credentials (
  user_id uuid PRIMARY KEY REFERENCES users(id),
  school_id uuid NOT NULL REFERENCES schools(id),
  secret_sealed bytea NOT NULL,
  confirmed_at timestamptz,
  last_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Ten single-use codes per set, stored as keyed hashes; used_at marks a code spent.
CREATE TABLE recovery_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  code_hash text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (school_id, user_id) WHERE used_at IS NULL;

CREATE TABLE webauthn_credentials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  credential_id text NOT NULL UNIQUE,
  public_key bytea NOT NULL,
  counter bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  label text NOT NULL DEFAULT 'Security key' CHECK (length(label) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  removed_at timestamptz
);
CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (school_id, user_id)
  WHERE removed_at IS NULL;

-- Single-use links (invitation, password reset). Only the SHA-256 of the token is stored.
CREATE TABLE email_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_links_user_idx ON email_links (school_id, user_id) WHERE used_at IS NULL;

-- Browsers (by a long-lived random cookie, hashed) that have signed in to an account before.
CREATE TABLE known_devices (
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL REFERENCES users(id),
  device_hash bytea NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, device_hash)
);

-- Sign-in throttling, by a SHA-256 of "account:<email>" or "address:<ip>". Not a tenant table:
-- before sign-in the school is unknown, and an unknown email must be throttled exactly like a
-- known one. It holds hashes and counters only — no email, address or record content.
CREATE TABLE sign_in_throttle (
  key_hash bytea PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL,
  next_allowed_at timestamptz NOT NULL,
  locked_until timestamptz
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['staff_groups', 'staff_group_members', 'group_category_access',
                           'staff_teaching_groups', 'password_history', 'totp_credentials',
                           'recovery_codes', 'webauthn_credentials', 'email_links', 'known_devices']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON staff_groups, totp_credentials, recovery_codes,
  webauthn_credentials, email_links, known_devices TO lantern_app;
GRANT SELECT, INSERT, DELETE ON staff_group_members, staff_teaching_groups TO lantern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON group_category_access TO lantern_app;
GRANT DELETE ON totp_credentials, recovery_codes TO lantern_app;
GRANT SELECT, INSERT ON password_history TO lantern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_throttle TO lantern_app;

-- The third door across schools: one exact link-token hash, nothing more.
CREATE FUNCTION lantern_find_link(p_token_hash bytea)
  RETURNS TABLE (link_id uuid, school_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id, user_id FROM email_links WHERE token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION lantern_find_link(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_link(bytea) TO lantern_app;
