-- 0039 Child-protection file transfers (issue 18). When a pupil who has any safeguarding record
-- leaves, a transfer task opens for the sending school's DSL team (transfers), on the statutory
-- clock: 5 school days (or calendar days, the school's choice in transfer_settings) from the later
-- of the leaving date and the day the destination was confirmed. The file that goes is the whole
-- file, frozen at sending: its items and their SHA-256 in a sealed manifest.
-- A school on the same Lantern receives it in its own transfer_inbox, sealed again under the
-- receiving school's own key by the application (features/transfers/unsafe-cross-school.ts):
-- no row-level security is relaxed, and each school only ever reads its own rows. Never edit this
-- file once landed.
CREATE TABLE transfer_settings (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  clock_rule text NOT NULL CHECK (clock_rule IN ('school_days', 'calendar_days'))
);

CREATE TABLE transfers (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('mis_leaver', 'by_hand')),
  leaving_on date NOT NULL,
  destination_urn integer REFERENCES establishments(urn),
  destination_set_on date,
  clock_rule text NOT NULL CHECK (clock_rule IN ('school_days', 'calendar_days')),
  due_on date,
  state text NOT NULL CHECK (state IN ('draft', 'sent', 'viewed', 'accepted', 'rejected',
    'failed', 'revoked', 'closed')),
  -- The items withheld, each with its reason (sealed: a reason may name people).
  withheld bytea,
  -- The manifest as sent: every item's kind, id and SHA-256 (sealed JSON).
  manifest bytea,
  manifest_sha256 text,
  receiver_school_id uuid REFERENCES schools(id),
  sent_at timestamptz,
  sent_by uuid,
  -- The receipt: the receiving DSL's name and role (sealed JSON), and when.
  receipt bytea,
  accepted_at timestamptz,
  rejected_reason bytea,
  -- Closed by the DSL team with its reason (sealed), e.g. sent by other secure means.
  closed_reason bytea,
  state_changed_at timestamptz NOT NULL,
  last_reminded_on date,
  escalated_at timestamptz,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, sent_by) REFERENCES users (school_id, id),
  CHECK (destination_urn IS NULL OR destination_set_on IS NOT NULL)
);
-- One live transfer per pupil.
CREATE UNIQUE INDEX transfers_live_pupil ON transfers (school_id, pupil_id)
  WHERE state IN ('draft', 'sent', 'viewed');
CREATE INDEX transfers_due ON transfers (due_on) WHERE state IN ('draft', 'sent', 'viewed');

-- A file received from a school on this Lantern, held by the receiving school. Its id is the
-- sending school's transfer id. Matched to a pupil by UPN at acceptance or when they arrive.
CREATE TABLE transfer_inbox (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  from_school_id uuid NOT NULL REFERENCES schools(id),
  from_school_name text NOT NULL CHECK (char_length(from_school_name) BETWEEN 1 AND 200),
  upn text,
  pupil_id uuid,
  -- The whole file (pupil, items, withheld reasons, manifest), sealed under this school's key.
  file bytea NOT NULL,
  manifest_sha256 text NOT NULL,
  state text NOT NULL CHECK (state IN ('sent', 'viewed', 'accepted', 'rejected', 'revoked')),
  received_at timestamptz NOT NULL,
  viewed_at timestamptz,
  accepted_at timestamptz,
  accepted_by uuid,
  receipt bytea,
  rejected_reason bytea,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, accepted_by) REFERENCES users (school_id, id)
);
CREATE INDEX transfer_inbox_upn ON transfer_inbox (school_id, upn) WHERE state = 'accepted';

ALTER TABLE transfer_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_settings USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON transfer_settings TO lantern_app;

ALTER TABLE transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfers USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON transfers TO lantern_app;

ALTER TABLE transfer_inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_inbox USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON transfer_inbox TO lantern_app;

-- The one cross-school question a transfer asks of the database: which school on this Lantern
-- carries this URN (schools' row-level security shows a school only itself). It answers an id
-- and a name, nothing of the school's records.
CREATE FUNCTION lantern_school_by_urn(p_urn integer)
  RETURNS TABLE (id uuid, name text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, name FROM schools WHERE urn = p_urn $$;
REVOKE ALL ON FUNCTION lantern_school_by_urn(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_school_by_urn(integer) TO lantern_app;
