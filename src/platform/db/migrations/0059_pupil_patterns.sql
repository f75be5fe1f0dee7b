-- 0059 Patterns about pupils (issue 20): school-set rules such as "3 records about one pupil in 30
-- days", and the signals each raised (the DSL team is alerted once per pupil per rule while the
-- pattern lasts). Also: alert kinds and targets move from CHECK lists, which every issue that
-- added one had to rewrite whole (and could undo another's), to reference tables a migration adds
-- a row to. Never edit this file once landed.
CREATE TABLE alert_kinds (kind text PRIMARY KEY);
INSERT INTO alert_kinds (kind) VALUES ('concern'), ('escalation'), ('referral_overdue'),
  ('action_reminder'), ('access_request'), ('mis_run_held'), ('dp_request_due'),
  ('dp_request_overdue'), ('dp_breach_drafted'), ('unusual_access'), ('pupil_pattern')
  ON CONFLICT DO NOTHING;
CREATE TABLE alert_target_types (target_type text PRIMARY KEY);
INSERT INTO alert_target_types (target_type) VALUES ('concern'), ('referral'), ('action'),
  ('access_request'), ('mis_sync_run'), ('dp_request'), ('dp_breach'), ('user'), ('pupil')
  ON CONFLICT DO NOTHING;
GRANT SELECT ON alert_kinds, alert_target_types TO lantern_app;
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_fkey FOREIGN KEY (kind) REFERENCES alert_kinds (kind);
ALTER TABLE alerts DROP CONSTRAINT alerts_target_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_target_type_fkey
  FOREIGN KEY (target_type) REFERENCES alert_target_types (target_type);

CREATE TABLE pattern_rules (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  records integer NOT NULL CHECK (records BETWEEN 2 AND 50),
  within_days integer NOT NULL CHECK (within_days BETWEEN 1 AND 365),
  -- Empty: a record in any category counts.
  category_ids uuid[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL,
  -- A rule taken away is kept (its signals name it), and no longer scanned or shown.
  removed_at timestamptz,
  PRIMARY KEY (school_id, id)
);

CREATE TABLE pattern_signals (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  rule_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  records integer NOT NULL CHECK (records >= 1),
  raised_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, rule_id) REFERENCES pattern_rules (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id) ON DELETE CASCADE
);
CREATE INDEX pattern_signals_recent ON pattern_signals (school_id, rule_id, pupil_id, raised_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pattern_rules', 'pattern_signals']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON pattern_rules TO lantern_app;
GRANT SELECT, INSERT ON pattern_signals TO lantern_app;
