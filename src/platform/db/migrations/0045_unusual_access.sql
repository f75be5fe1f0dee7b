-- 0045 Unusual access (issue 20): the signals raised when a member's reading of records trips one
-- of the school's rules (each at most once per member per rule per window), and where the scan of
-- each school's audit trail has reached. Alerts of kind 'unusual_access' point at the member.
-- Never edit this file once landed.
CREATE TABLE access_signals (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  rule text NOT NULL CHECK (rule IN ('pupils_per_hour', 'pupils_per_day', 'out_of_hours', 'refusals',
                                     'exports', 'own_access')),
  member_id uuid NOT NULL,
  window_key text NOT NULL CHECK (char_length(window_key) BETWEEN 1 AND 40),
  observed integer NOT NULL CHECK (observed >= 0),
  raised_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, rule, member_id, window_key),
  FOREIGN KEY (school_id, member_id) REFERENCES users (school_id, id)
);
CREATE INDEX access_signals_recent ON access_signals (school_id, raised_at DESC);

-- The scan's place in the trail, and marks of (time, sequence) taken at each scan for the last
-- day, so a window's first entry is found without reading the trail by time.
CREATE TABLE access_watch (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  last_seq bigint NOT NULL,
  marks jsonb NOT NULL DEFAULT '[]'::jsonb
);

ALTER TABLE access_signals ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_signals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_signals USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT ON access_signals TO lantern_app;
ALTER TABLE access_watch ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_watch FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_watch USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON access_watch TO lantern_app;

-- The lists below are the union of every capability (alert kind, alert target) that issues 17,
-- 19 and 20 add in migrations 0035, 0036, 0041, 0044 and 0045: each of them sets the whole list, so
-- whichever order an existing database applies them in, no value another needs is dropped.
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
  CHECK (kind IN ('concern', 'escalation', 'referral_overdue', 'action_reminder', 'access_request',
                  'mis_run_held', 'dp_request_due', 'dp_request_overdue', 'dp_breach_drafted',
                  'unusual_access'));
ALTER TABLE alerts DROP CONSTRAINT alerts_target_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_target_type_check
  CHECK (target_type IN ('concern', 'referral', 'action', 'access_request', 'mis_sync_run',
                         'dp_request', 'dp_breach', 'user'));
