-- 0003 Safeguarding records (issue 4): concern versions, body maps, the vault, alerts, actions,
-- agency referrals on the clock, conversations, cases and their events, and the keyed blind index.
-- Every free-text field is ciphertext (sealed by the application with the school's data key, bound
-- to column and row); search works through HMAC tokens only. RLS is FORCEd on every new table.
-- Never edit this file once landed: add a new numbered migration instead.

-- Categories: stable key for the defaults, and whom a concern in the category alerts by default.
ALTER TABLE categories ADD COLUMN key text;
ALTER TABLE categories ADD COLUMN alert_groups text[] NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN alert_user_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Cases: a concern opens one or joins one. Outcome and rationale are sealed text.
CREATE TABLE cases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  owner_id uuid NOT NULL REFERENCES users(id),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'no_further_action')),
  review_on date,
  opened_at timestamptz NOT NULL,
  outcome bytea,
  rationale bytea,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_open_idx ON cases (school_id, status, review_on);
CREATE INDEX cases_pupil_idx ON cases (school_id, pupil_id);

CREATE TABLE case_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  case_id uuid NOT NULL REFERENCES cases(id),
  kind text NOT NULL CHECK (kind IN ('opened', 'joined', 'closed', 'no_further_action', 'reopened')),
  at timestamptz NOT NULL,
  by_id uuid NOT NULL REFERENCES users(id),
  concern_id uuid REFERENCES concerns(id),
  outcome bytea,
  rationale bytea
);
CREATE INDEX case_events_case_idx ON case_events (school_id, case_id, at);

-- Concerns gain a body map (sealed JSON), the verbal-DSL record, a case, an edit counter and tokens.
ALTER TABLE concerns ADD COLUMN body_map bytea;
ALTER TABLE concerns ADD COLUMN verbally_informed_id uuid REFERENCES users(id);
ALTER TABLE concerns ADD COLUMN case_id uuid REFERENCES cases(id);
ALTER TABLE concerns ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE concerns ADD COLUMN search_tokens text[] NOT NULL DEFAULT '{}';
ALTER TABLE concerns ADD COLUMN index_version smallint NOT NULL DEFAULT 1;
CREATE INDEX concerns_search_idx ON concerns USING gin (search_tokens);
CREATE INDEX concerns_case_idx ON concerns (school_id, case_id) WHERE case_id IS NOT NULL;

-- Every edit keeps the version it replaced: who replaced it, when and why. Never updated.
CREATE TABLE concern_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL REFERENCES concerns(id),
  version integer NOT NULL,
  happened_at timestamptz NOT NULL,
  location bytea,
  body bytea NOT NULL,
  body_map bytea,
  category_ids uuid[] NOT NULL,
  pupils jsonb NOT NULL,
  written_by uuid NOT NULL REFERENCES users(id),
  written_at timestamptz NOT NULL,
  replaced_by uuid NOT NULL REFERENCES users(id),
  replaced_at timestamptz NOT NULL,
  reason bytea NOT NULL,
  UNIQUE (concern_id, version)
);

-- The vault. Metadata and the sealed bytes in separate tables, so lists never load content.
CREATE TABLE attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL REFERENCES concerns(id),
  name bytea NOT NULL,
  mime text NOT NULL,
  ext text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  uploaded_by uuid NOT NULL REFERENCES users(id),
  uploaded_at timestamptz NOT NULL
);
CREATE INDEX attachments_concern_idx ON attachments (school_id, concern_id);

CREATE TABLE attachment_blobs (
  attachment_id uuid PRIMARY KEY REFERENCES attachments(id),
  school_id uuid NOT NULL REFERENCES schools(id),
  content bytea NOT NULL
);

-- Actions on a record or a pupil. Text and outcome sealed.
CREATE TABLE actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  concern_id uuid REFERENCES concerns(id),
  case_id uuid REFERENCES cases(id),
  type text NOT NULL CHECK (type IN ('phone_call', 'meeting', 'letter', 'note', 'decision', 'referral')),
  text bytea NOT NULL,
  assignee_id uuid NOT NULL REFERENCES users(id),
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  due_at timestamptz,
  remind_at timestamptz,
  reminded_at timestamptz,
  completed_at timestamptz,
  completed_by uuid REFERENCES users(id),
  outcome bytea,
  search_tokens text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX actions_assignee_idx ON actions (school_id, assignee_id, completed_at, due_at);
CREATE INDEX actions_pupil_idx ON actions (school_id, pupil_id, created_at);
CREATE INDEX actions_remind_idx ON actions (remind_at) WHERE reminded_at IS NULL AND completed_at IS NULL;
CREATE INDEX actions_search_idx ON actions USING gin (search_tokens);

-- Agency types per school, each with the response time the school expects (hours; null = none).
CREATE TABLE referral_agencies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  key text,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  expected_response_hours integer CHECK (expected_response_hours > 0),
  archived_at timestamptz
);
CREATE UNIQUE INDEX referral_agencies_name_key ON referral_agencies (school_id, lower(name));

CREATE TABLE referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  concern_id uuid REFERENCES concerns(id),
  case_id uuid REFERENCES cases(id),
  agency_id uuid NOT NULL REFERENCES referral_agencies(id),
  referred_at timestamptz NOT NULL,
  -- Copied from the agency when made, so a later change of the school's setting does not rewrite history.
  expected_response_hours integer,
  due_at timestamptz,
  contact bytea,
  reference bytea,
  details bytea,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  responded_at timestamptz,
  closed_at timestamptz,
  overdue_alerted_at timestamptz
);
CREATE INDEX referrals_pupil_idx ON referrals (school_id, pupil_id, referred_at);
CREATE INDEX referrals_due_idx ON referrals (due_at)
  WHERE responded_at IS NULL AND closed_at IS NULL;

CREATE TABLE referral_followups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  referral_id uuid NOT NULL REFERENCES referrals(id),
  kind text NOT NULL CHECK (kind IN ('letter', 'call', 'email', 'meeting', 'response', 'other')),
  at timestamptz NOT NULL,
  by_id uuid NOT NULL REFERENCES users(id),
  note bytea NOT NULL
);
CREATE INDEX referral_followups_idx ON referral_followups (school_id, referral_id, at);

-- Meetings and conversations with parents, carers and the child, and the decisions taken.
CREATE TABLE conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL REFERENCES pupils(id),
  concern_id uuid REFERENCES concerns(id),
  case_id uuid REFERENCES cases(id),
  with_whom text NOT NULL CHECK (with_whom IN ('parent', 'carer', 'child', 'family', 'professional', 'other')),
  decision text CHECK (decision IN ('early_help_assessment', 'referral', 'monitor', 'no_further_action', 'other')),
  happened_at timestamptz NOT NULL,
  text bytea NOT NULL,
  author_id uuid NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL,
  search_tokens text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX conversations_pupil_idx ON conversations (school_id, pupil_id, happened_at);
CREATE INDEX conversations_search_idx ON conversations USING gin (search_tokens);

-- Alerts: one row per recipient. Acknowledged once; DSL-team alerts escalate when not acknowledged.
CREATE TABLE alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  recipient_id uuid NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('concern', 'escalation', 'referral_overdue', 'action_reminder')),
  target_type text NOT NULL CHECK (target_type IN ('concern', 'referral', 'action')),
  target_id uuid NOT NULL,
  via_group text,
  created_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  escalate_at timestamptz,
  escalated_at timestamptz
);
CREATE INDEX alerts_recipient_idx ON alerts (school_id, recipient_id, acknowledged_at, created_at DESC);
CREATE INDEX alerts_target_idx ON alerts (school_id, target_type, target_id);
CREATE INDEX alerts_escalate_idx ON alerts (escalate_at)
  WHERE escalate_at IS NOT NULL AND acknowledged_at IS NULL AND escalated_at IS NULL;

-- Chronology and dashboard indexes the plans asked for.
CREATE INDEX concerns_open_recent_idx ON concerns (school_id, recorded_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'case_events', 'concern_versions', 'attachments', 'attachment_blobs',
                           'actions', 'referral_agencies', 'referrals', 'referral_followups',
                           'conversations', 'alerts']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON cases, actions, referral_agencies, referrals, alerts TO lantern_app;
GRANT SELECT, INSERT ON case_events, concern_versions, attachments, attachment_blobs,
  referral_followups, conversations TO lantern_app;
