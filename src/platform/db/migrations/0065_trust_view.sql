-- 0065 A trust's view across its schools (issue 20). Trust members are a different kind of
-- account (never `users`): they belong to a trust, not a school, with their own credentials,
-- sessions and cookie. A request-time trust transaction runs as lantern_app with the platform's
-- empty school as its tenant and `lantern.trust_id` / `lantern.trust_member_id` set from the
-- session (a sub-select over lantern_find_trust_session, like lookupInItsSchool), so it sees only
-- its own trust's rows below and no school's rows at all.
-- * Figures reach the trust only through trust_figure_snapshots, written by each school inside its
--   own tenant, and readable by the trust ONLY while a trust_sharing row says the school shares:
--   the policy itself checks, so a school that stops sharing disappears at once.
-- * Pupil-level reads need a trust_grants row: the trust member's transaction sets the school as
--   tenant only through lantern_find_trust_grant_school (an active, unexpired, unrevoked grant to
--   the member of that session), otherwise the tenant stays the empty school and no row is seen.
-- Never edit this file once landed.

CREATE FUNCTION lantern_current_trust() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('lantern.trust_id', true), '')::uuid $$;
CREATE FUNCTION lantern_current_trust_member() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('lantern.trust_member_id', true), '')::uuid $$;
GRANT EXECUTE ON FUNCTION lantern_current_trust() TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_current_trust_member() TO lantern_app;

-- The trust may read its own name and its schools' names (never anything else of a school).
CREATE POLICY trust_reads_itself ON trusts FOR SELECT USING (id = lantern_current_trust());
CREATE POLICY trust_reads_its_schools ON schools FOR SELECT
  USING (trust_id IS NOT NULL AND trust_id = lantern_current_trust());

CREATE TABLE trust_members (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  trust_id uuid NOT NULL REFERENCES trusts(id),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('trust_safeguarding_lead', 'trust_executive')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (trust_id, id)
);
CREATE UNIQUE INDEX trust_members_email_key ON trust_members (lower(email));

-- The secrets, apart, so a school (which sees its trust's members by name to grant them access)
-- never reads a password hash. The TOTP secret is sealed under the master key (trust_totp.secret).
CREATE TABLE trust_member_credentials (
  member_id uuid PRIMARY KEY REFERENCES trust_members(id),
  trust_id uuid NOT NULL REFERENCES trusts(id),
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL,
  totp_sealed bytea,
  totp_master_key_id text,
  totp_last_step bigint,
  totp_confirmed_at timestamptz,
  FOREIGN KEY (trust_id, member_id) REFERENCES trust_members (trust_id, id)
);

CREATE TABLE trust_sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  trust_id uuid NOT NULL REFERENCES trusts(id),
  member_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  csrf_token text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'full')),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  end_reason text,
  FOREIGN KEY (trust_id, member_id) REFERENCES trust_members (trust_id, id)
);
CREATE INDEX trust_sessions_member_idx ON trust_sessions (member_id) WHERE ended_at IS NULL;

-- A school's switch: while its row is here, its trust reads its figures' snapshot.
CREATE TABLE trust_sharing (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  trust_id uuid NOT NULL REFERENCES trusts(id),
  since timestamptz NOT NULL,
  switched_on_by uuid NOT NULL
);

-- Each school's report figures (counts), computed inside the school's own tenant by the system.
CREATE TABLE trust_figure_snapshots (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  trust_id uuid NOT NULL REFERENCES trusts(id),
  computed_at timestamptz NOT NULL,
  from_day date NOT NULL,
  to_day date NOT NULL,
  body jsonb NOT NULL
);

-- A school's DSL team grants a named trust member time-limited access to one pupil's record or
-- the school's records. The reason is sealed (trust_grants.reason) under the school's key.
CREATE TABLE trust_grants (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  trust_id uuid NOT NULL REFERENCES trusts(id),
  member_id uuid NOT NULL,
  scope text NOT NULL CHECK (scope IN ('pupil', 'school')),
  pupil_id uuid,
  reason_sealed bytea NOT NULL,
  granted_by uuid NOT NULL,
  granted_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid,
  PRIMARY KEY (id),
  UNIQUE (school_id, id),
  CHECK ((scope = 'pupil') = (pupil_id IS NOT NULL)),
  -- In hours, not days: '30 days' in the session's time zone is 719 hours over the March clock
  -- change, while the application gives 30 × 24 hours.
  CHECK (expires_at > granted_at AND expires_at <= granted_at + interval '720 hours'),
  FOREIGN KEY (trust_id, member_id) REFERENCES trust_members (trust_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, granted_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, revoked_by) REFERENCES users (school_id, id)
);
CREATE INDEX trust_grants_member_idx ON trust_grants (member_id, expires_at);

ALTER TABLE trust_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_members FORCE ROW LEVEL SECURITY;
ALTER TABLE trust_member_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_member_credentials FORCE ROW LEVEL SECURITY;
ALTER TABLE trust_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE trust_sharing ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_sharing FORCE ROW LEVEL SECURITY;
ALTER TABLE trust_figure_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_figure_snapshots FORCE ROW LEVEL SECURITY;
ALTER TABLE trust_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_grants FORCE ROW LEVEL SECURITY;

-- A trust's own members; a school sees (by name and role) the members of its own trust.
CREATE POLICY trust_isolation ON trust_members
  USING (trust_id = lantern_current_trust()) WITH CHECK (trust_id = lantern_current_trust());
CREATE POLICY school_sees_its_trust ON trust_members FOR SELECT
  USING (trust_id = (SELECT s.trust_id FROM schools s WHERE s.id = lantern_current_school()));
-- A member's secrets and sessions are theirs alone: not their colleagues' (same trust) either.
CREATE POLICY member_isolation ON trust_member_credentials
  USING (trust_id = lantern_current_trust() AND member_id = lantern_current_trust_member())
  WITH CHECK (trust_id = lantern_current_trust() AND member_id = lantern_current_trust_member());
CREATE POLICY member_isolation ON trust_sessions
  USING (trust_id = lantern_current_trust() AND member_id = lantern_current_trust_member())
  WITH CHECK (trust_id = lantern_current_trust() AND member_id = lantern_current_trust_member());

-- Only the school switches its sharing, and only towards its own trust; the trust reads its rows.
CREATE POLICY tenant_isolation ON trust_sharing
  USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school()
              AND trust_id = (SELECT s.trust_id FROM schools s WHERE s.id = lantern_current_school()));
CREATE POLICY trust_reads_sharing ON trust_sharing FOR SELECT
  USING (trust_id = lantern_current_trust());

-- The school writes its own snapshot; the trust reads it only while the school shares with it.
CREATE POLICY tenant_isolation ON trust_figure_snapshots
  USING (school_id = lantern_current_school()) WITH CHECK (school_id = lantern_current_school());
CREATE POLICY trust_reads_shared_figures ON trust_figure_snapshots FOR SELECT
  USING (trust_id = lantern_current_trust()
         AND EXISTS (SELECT 1 FROM trust_sharing sh
                     WHERE sh.school_id = trust_figure_snapshots.school_id
                       AND sh.trust_id = lantern_current_trust()));

-- The school grants (to a member of its own trust) and revokes; the member reads their own grants.
CREATE POLICY tenant_isolation ON trust_grants
  USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school()
              AND trust_id = (SELECT s.trust_id FROM schools s WHERE s.id = lantern_current_school()));
CREATE POLICY member_reads_own_grants ON trust_grants FOR SELECT
  USING (trust_id = lantern_current_trust() AND member_id = lantern_current_trust_member());

GRANT SELECT ON trust_members TO lantern_app;
GRANT SELECT, UPDATE (totp_sealed, totp_master_key_id, totp_last_step, totp_confirmed_at)
  ON trust_member_credentials TO lantern_app;
GRANT SELECT ON trust_member_credentials TO lantern_app;
-- A session's stage never changes in place (a new token, a new row, at every stage).
GRANT SELECT, INSERT ON trust_sessions TO lantern_app;
GRANT UPDATE (last_seen_at, ended_at, end_reason) ON trust_sessions TO lantern_app;
GRANT SELECT, INSERT, DELETE ON trust_sharing TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON trust_figure_snapshots TO lantern_app;
GRANT SELECT, INSERT ON trust_grants TO lantern_app;
GRANT UPDATE (revoked_at, revoked_by) ON trust_grants TO lantern_app;

-- Before the trust is known: one exact email, or one session-token hash.
CREATE FUNCTION lantern_find_trust_login(p_email text)
  RETURNS TABLE (member_id uuid, trust_id uuid, name text, role text, password_hash text,
                 status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT m.id, m.trust_id, m.name, m.role, c.password_hash, m.status
        FROM trust_members m JOIN trust_member_credentials c ON c.member_id = m.id
        WHERE lower(m.email) = lower(p_email) LIMIT 1 $$;

-- The request lane: only a full, unexpired session of an active member sets the trust.
CREATE FUNCTION lantern_find_trust_session(p_token_hash bytea)
  RETURNS TABLE (session_id uuid, trust_id uuid, member_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT s.id, s.trust_id, s.member_id FROM trust_sessions s
        JOIN trust_members m ON m.id = s.member_id AND m.trust_id = s.trust_id
                             AND m.status = 'active'
        WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL AND s.stage = 'full'
          AND s.expires_at > now() $$;

-- Resolving the cookie (any stage, expired or not, so it can be ended and its end audited) and
-- the sign-in steps: only the session row itself and the member's own rows are read there.
CREATE FUNCTION lantern_find_trust_session_signing_in(p_token_hash bytea)
  RETURNS TABLE (session_id uuid, trust_id uuid, member_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, trust_id, member_id FROM trust_sessions
        WHERE token_hash = p_token_hash AND ended_at IS NULL $$;

-- The one way a trust member's transaction gets a school as its tenant: the school of a grant
-- held by the member of this full, unexpired session, to a school still in their trust, the
-- grant neither expired nor revoked. Otherwise no row, and the tenant stays the empty school.
CREATE FUNCTION lantern_find_trust_grant_school(p_token_hash bytea, p_grant uuid)
  RETURNS TABLE (school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT g.school_id
        FROM trust_sessions s
        JOIN trust_members m ON m.id = s.member_id AND m.trust_id = s.trust_id
                             AND m.status = 'active'
        JOIN trust_grants g ON g.member_id = s.member_id AND g.trust_id = s.trust_id
        JOIN schools sc ON sc.id = g.school_id AND sc.trust_id = g.trust_id
        WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL AND s.stage = 'full'
          AND s.expires_at > now() AND g.id = p_grant
          AND g.revoked_at IS NULL AND g.expires_at > now() $$;

REVOKE ALL ON FUNCTION lantern_find_trust_login(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_trust_session(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_trust_session_signing_in(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_trust_grant_school(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_trust_login(text) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_trust_session(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_trust_session_signing_in(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_trust_grant_school(bytea, uuid) TO lantern_app;
