-- 0070 The rest of issue 20's unusual access: a rule for a member opening the records of pupils
-- they do not teach when only a wide grant (the whole school, a year group) lets them; its own
-- alert kind, so the alert names the rule; and a draft breach the DPO opens from a signal, linked
-- both ways (the breach's signal_key names the signal, the signal keeps the breach's id). Several
-- such drafts may be open at once (one per signal, by signal_key), unlike Lantern's own nightly
-- drafts. Never edit this file once landed.
ALTER TABLE access_signals DROP CONSTRAINT access_signals_rule_check;
ALTER TABLE access_signals ADD CONSTRAINT access_signals_rule_check
  CHECK (rule IN ('pupils_per_hour', 'pupils_per_day', 'out_of_hours', 'refusals', 'exports',
                  'own_access', 'wide_grant'));
ALTER TABLE access_signals ADD COLUMN breach_id uuid;
ALTER TABLE access_signals ADD CONSTRAINT access_signals_breach_fkey
  FOREIGN KEY (school_id, breach_id) REFERENCES dp_breaches (school_id, id);
GRANT UPDATE (breach_id) ON access_signals TO lantern_app;

ALTER TABLE dp_breaches DROP CONSTRAINT dp_breaches_source_check;
ALTER TABLE dp_breaches ADD CONSTRAINT dp_breaches_source_check
  CHECK (source IN ('recorded', 'audit_verify', 'unusual_access'));
DROP INDEX dp_breaches_one_draft;
CREATE UNIQUE INDEX dp_breaches_one_draft ON dp_breaches (school_id, source)
  WHERE status = 'draft' AND source <> 'unusual_access';

INSERT INTO alert_kinds (kind) VALUES ('unusual_access_wide_grant') ON CONFLICT DO NOTHING;
