-- 0037 Complaints (issue 17; the Data (Use and Access) Act 2025): a complaint about how the school
-- handles personal data, sent through a public form with no account, acknowledged within 30 days
-- and answered with a dated response. Who complains, how to reach them, the complaint and the
-- response are sealed. The form is rate-limited by a keyed digest of the sender's address (never
-- the address itself) and each proof-of-work challenge is used once (complaints/challenge.ts).
-- Never edit this file once landed.
CREATE TABLE dp_complaints (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  received_at timestamptz NOT NULL,
  complainant bytea NOT NULL,
  contact bytea NOT NULL,
  details bytea NOT NULL,
  acknowledge_by date NOT NULL,
  acknowledged_on date,
  response bytea,
  responded_on date,
  handled_by uuid,
  address_digest text NOT NULL,
  challenge_nonce text NOT NULL,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, challenge_nonce),
  FOREIGN KEY (school_id, handled_by) REFERENCES users (school_id, id)
);
CREATE INDEX dp_complaints_address ON dp_complaints (school_id, address_digest, received_at);

ALTER TABLE dp_complaints ENABLE ROW LEVEL SECURITY;
ALTER TABLE dp_complaints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dp_complaints USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON dp_complaints TO lantern_app;

-- A refused public complaint is audited at most once per sender (address digest) per hour: the
-- first refusal in the hour inserts its row here and writes the audit entry; later refusals in
-- the same hour find the row and write nothing, so a script sending forged forms cannot grow the
-- school's audit chain without limit.
CREATE TABLE dp_complaint_refusals (
  school_id uuid NOT NULL REFERENCES schools(id),
  address_digest text NOT NULL,
  window_start timestamptz NOT NULL,
  PRIMARY KEY (school_id, address_digest, window_start)
);
ALTER TABLE dp_complaint_refusals ENABLE ROW LEVEL SECURITY;
ALTER TABLE dp_complaint_refusals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dp_complaint_refusals USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT ON dp_complaint_refusals TO lantern_app;

-- Which break a draft breach was opened for (issue 17): 'audit_verify:<first broken seq>'. One
-- breach per key ever, whatever its status, so a broken chain confirmed (or closed) by the DPO is
-- not drafted again every night; a new break further along the chain gets its own draft.
ALTER TABLE dp_breaches ADD COLUMN signal_key text;
CREATE UNIQUE INDEX dp_breaches_signal_key ON dp_breaches (school_id, signal_key)
  WHERE signal_key IS NOT NULL;
