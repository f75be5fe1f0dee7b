-- 0047 Parents and carers (issue 21): a different kind of account from staff `users` (never in
-- `users`), each tied to the MIS contact it was invited as; its second factors, known devices and
-- sessions in their own tables; the links to pupils (only through pupil_contacts, only once
-- accepted); and the invitations (a hashed one-time token). Every table has school_id and row-level
-- security like every other tenant table. A parent's audit entries carry actor_id NULL and the
-- label "Parent: <name>" (src/core/parent-context.ts), so nothing takes them for a member of staff.
-- Never edit this file once landed.

CREATE TABLE parent_accounts (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  contact_id uuid NOT NULL,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 400),
  password_hash text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'revoked')),
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  password_changed_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('staff', 'restricted')),
  PRIMARY KEY (school_id, id),
  UNIQUE (id),
  UNIQUE (school_id, contact_id),
  FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id)
);
CREATE UNIQUE INDEX parent_accounts_email_key ON parent_accounts (school_id, lower(email));
CREATE INDEX parent_accounts_login_idx ON parent_accounts (lower(email));

-- The authenticator app (TOTP): the secret sealed (parent_totp.secret), the last accepted step.
CREATE TABLE parent_totp (
  parent_id uuid PRIMARY KEY REFERENCES parent_accounts(id),
  school_id uuid NOT NULL REFERENCES schools(id),
  secret_sealed bytea NOT NULL,
  last_step bigint,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz
);

-- Passkeys (WebAuthn), the same shape as the staff table.
CREATE TABLE parent_webauthn_credentials (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid NOT NULL REFERENCES parent_accounts(id),
  credential_id text NOT NULL,
  public_key bytea NOT NULL,
  counter bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  name text NOT NULL DEFAULT 'Passkey',
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  removed_at timestamptz,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, credential_id)
);

CREATE TABLE parent_devices (
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid NOT NULL REFERENCES parent_accounts(id),
  device_hash bytea NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (parent_id, device_hash)
);

-- A parent's session: `second_factor` after the password (good only for the code), `enrol` after
-- accepting an invitation (good only for setting up the required second factor), then `full`.
CREATE TABLE parent_sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid NOT NULL REFERENCES parent_accounts(id),
  token_hash bytea NOT NULL UNIQUE,
  csrf_token text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'full')),
  challenge text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  end_reason text,
  ip text,
  user_agent text,
  PRIMARY KEY (school_id, id),
  UNIQUE (id)
);
CREATE INDEX parent_sessions_parent_idx ON parent_sessions (school_id, parent_id) WHERE ended_at IS NULL;

-- Parent ↔ pupil, only through the MIS's own link (pupil_contacts): the contact the account was
-- invited as must be this pupil's contact. `accepted_at` is set when the invitation is accepted;
-- `revoked_at` when staff revoke access or the contact becomes restricted.
CREATE TABLE parent_links (
  school_id uuid NOT NULL REFERENCES schools(id),
  parent_id uuid NOT NULL REFERENCES parent_accounts(id),
  pupil_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (parent_id, pupil_id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (pupil_id, contact_id) REFERENCES pupil_contacts (pupil_id, contact_id)
);
CREATE INDEX parent_links_pupil_idx ON parent_links (school_id, pupil_id);

-- One invitation per contact and pupil. The token is stored only as its SHA-256.
CREATE TABLE parent_invitations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  contact_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  parent_id uuid REFERENCES parent_accounts(id),
  email text NOT NULL,
  status text NOT NULL DEFAULT 'invited'
    CHECK (status IN ('not_invited', 'invited', 'accepted', 'bounced', 'revoked')),
  token_hash bytea UNIQUE,
  expires_at timestamptz,
  invited_by uuid,
  invited_at timestamptz,
  reminders_sent integer NOT NULL DEFAULT 0 CHECK (reminders_sent BETWEEN 0 AND 4),
  next_reminder_at timestamptz,
  accepted_at timestamptz,
  bounced_at timestamptz,
  revoked_at timestamptz,
  dob_failures integer NOT NULL DEFAULT 0,
  PRIMARY KEY (school_id, id),
  UNIQUE (id),
  UNIQUE (school_id, contact_id, pupil_id),
  FOREIGN KEY (pupil_id, contact_id) REFERENCES pupil_contacts (pupil_id, contact_id),
  FOREIGN KEY (school_id, invited_by) REFERENCES users (school_id, id)
);
CREATE INDEX parent_invitations_due_idx ON parent_invitations (next_reminder_at)
  WHERE status = 'invited';

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['parent_accounts', 'parent_totp', 'parent_webauthn_credentials',
                           'parent_devices', 'parent_sessions', 'parent_links', 'parent_invitations']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON parent_accounts, parent_totp, parent_webauthn_credentials,
  parent_devices, parent_sessions, parent_links, parent_invitations TO lantern_app;
GRANT DELETE ON parent_totp TO lantern_app;

-- Before a parent's session exists the school is unknown: these look-ups answer for one exact
-- email, one session-token hash or one invitation-token hash, nothing more.
CREATE FUNCTION lantern_find_parent_login(p_email text)
  RETURNS TABLE (parent_id uuid, school_id uuid, password_hash text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id, password_hash, status FROM parent_accounts
        WHERE lower(email) = lower(p_email) ORDER BY created_at LIMIT 5 $$;

CREATE FUNCTION lantern_find_parent_session(p_token_hash bytea)
  RETURNS TABLE (session_id uuid, school_id uuid, parent_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id, parent_id FROM parent_sessions
        WHERE token_hash = p_token_hash AND ended_at IS NULL $$;

CREATE FUNCTION lantern_find_parent_invitation(p_token_hash bytea)
  RETURNS TABLE (invitation_id uuid, school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id FROM parent_invitations WHERE token_hash = p_token_hash $$;

REVOKE ALL ON FUNCTION lantern_find_parent_login(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_parent_session(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_parent_invitation(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_parent_login(text) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_parent_session(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_parent_invitation(bytea) TO lantern_app;
