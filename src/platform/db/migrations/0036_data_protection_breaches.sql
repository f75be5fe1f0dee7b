-- 0036 The breach register (issue 17; Article 33(5): every breach, reported or not), and the
-- DPO's alerts: a rights request falling due or overdue, a breach Lantern drafted itself. What
-- may name people or describe the school's weaknesses is sealed (sealed-columns.ts). The 72-hour
-- clock is worked out from became_aware_at (breaches/clock.ts). Never edit this file once landed.
CREATE TABLE dp_breaches (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  -- draft: opened by Lantern from one of its own signals, until the DPO confirms it.
  status text NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
  source text NOT NULL CHECK (source IN ('recorded', 'audit_verify')),
  became_aware_at timestamptz NOT NULL,
  how_aware bytea NOT NULL,
  occurred_from timestamptz,
  occurred_to timestamptz,
  types text[] NOT NULL CHECK (cardinality(types) > 0
    AND types <@ ARRAY['confidentiality', 'integrity', 'availability']::text[]),
  data_description bytea,
  people_approx integer CHECK (people_approx >= 0),
  records_approx integer CHECK (records_approx >= 0),
  containment bytea,
  risk text CHECK (risk IN ('unlikely', 'risk', 'high_risk')),
  risk_assessment bytea,
  ico_decision text CHECK (ico_decision IN ('report', 'not_report')),
  ico_reasons bytea,
  ico_reported_at timestamptz,
  ico_reference text CHECK (length(ico_reference) <= 100),
  people_decision text CHECK (people_decision IN ('told', 'not_told')),
  people_reasons bytea,
  other_bodies text[] NOT NULL DEFAULT '{}'
    CHECK (other_bodies <@ ARRAY['dfe', 'police', 'local_authority', 'insurer', 'other']::text[]),
  -- Why the entry, or the report to the ICO, came after the 72 hours.
  late_reason bytea,
  lessons bytea,
  closed_at timestamptz,
  closed_by uuid,
  recorded_by uuid,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  CHECK (occurred_to IS NULL OR occurred_from IS NULL OR occurred_to >= occurred_from),
  FOREIGN KEY (school_id, closed_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, recorded_by) REFERENCES users (school_id, id)
);
-- One open draft per signal kind at a time: a failing check run every night drafts once.
CREATE UNIQUE INDEX dp_breaches_one_draft ON dp_breaches (school_id, source)
  WHERE status = 'draft';

-- The updates sent to the ICO in phases (the first report, then what was learned).
CREATE TABLE dp_breach_updates (
  school_id uuid NOT NULL REFERENCES schools(id),
  breach_id uuid NOT NULL,
  phase integer NOT NULL CHECK (phase BETWEEN 1 AND 100),
  sent_on date NOT NULL,
  summary bytea NOT NULL,
  recorded_by uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, breach_id, phase),
  FOREIGN KEY (school_id, breach_id) REFERENCES dp_breaches (school_id, id),
  FOREIGN KEY (school_id, recorded_by) REFERENCES users (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dp_breaches', 'dp_breach_updates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON dp_breaches TO lantern_app;
GRANT SELECT, INSERT ON dp_breach_updates TO lantern_app;

-- The DPO's alerts (the alert holds the request's or breach's id only).
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
