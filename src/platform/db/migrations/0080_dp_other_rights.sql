-- 0080 The other rights (issue 17): rectification, restriction, erasure and objection, enforced.
-- A rectification attaches the subject's statement to a record and never rewrites it; a
-- restriction limits a record to the DSL team and keeps it out of reports and transfers until it
-- is lifted (core/access/processing-restriction.ts reads dp_restrictions); an erasure or an
-- objection records its decision. Statements and the reasoning are sealed (sealed-columns.ts):
-- they name people. A record destroyed under the retention schedule takes its statements and
-- restrictions with it (ON DELETE CASCADE): the destruction function need not know of them.
-- Never edit this file once landed.
CREATE TABLE dp_record_statements (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  concern_id uuid NOT NULL,
  statement bytea NOT NULL,
  recorded_by uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id) ON DELETE CASCADE,
  FOREIGN KEY (school_id, recorded_by) REFERENCES users (school_id, id)
);
CREATE INDEX dp_record_statements_concern ON dp_record_statements (school_id, concern_id);

CREATE TABLE dp_restrictions (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  concern_id uuid NOT NULL,
  restricted_by uuid NOT NULL,
  restricted_at timestamptz NOT NULL,
  lifted_by uuid,
  lifted_at timestamptz,
  PRIMARY KEY (school_id, id),
  CHECK ((lifted_by IS NULL) = (lifted_at IS NULL)),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id) ON DELETE CASCADE,
  FOREIGN KEY (school_id, restricted_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, lifted_by) REFERENCES users (school_id, id)
);
-- One restriction in force per record; the policy's probe is this index.
CREATE UNIQUE INDEX dp_restrictions_active ON dp_restrictions (school_id, concern_id)
  WHERE lifted_at IS NULL;

CREATE TABLE dp_decisions (
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('erasure', 'objection')),
  decision text NOT NULL CHECK (decision IN ('erase_by_retention', 'refused_public_task',
    'refused_legal_obligation', 'objection_upheld', 'objection_not_upheld')),
  -- Sealed: the refusal's explanation, or the balance of the objection.
  reasoning bytea NOT NULL,
  decided_by uuid NOT NULL,
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, request_id),
  CHECK ((kind = 'erasure') = (decision IN ('erase_by_retention', 'refused_public_task',
    'refused_legal_obligation'))),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dp_record_statements', 'dp_restrictions', 'dp_decisions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT ON dp_record_statements TO lantern_app;
GRANT SELECT, INSERT, UPDATE ON dp_restrictions TO lantern_app;
GRANT SELECT, INSERT ON dp_decisions TO lantern_app;
