-- 0058 The governors' pack (issue 20): the school's figures for a range of days with small numbers
-- suppressed ("<5", and secondary suppression), prepared by a member with reports, released only
-- once a member of the DSL team approves it, versioned per school. `body` holds only the
-- suppressed tables: a count from 1 to 4 is never stored here, so no route can give one back.
-- Never edit this file once landed.
CREATE TABLE governors_packs (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  version integer NOT NULL CHECK (version >= 1),
  from_day date NOT NULL,
  to_day date NOT NULL CHECK (to_day >= from_day),
  body jsonb NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  prepared_by uuid NOT NULL,
  prepared_at timestamptz NOT NULL,
  released_by uuid,
  released_at timestamptz,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, version),
  FOREIGN KEY (school_id, prepared_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, released_by) REFERENCES users (school_id, id),
  CHECK ((released_by IS NULL) = (released_at IS NULL))
);

ALTER TABLE governors_packs ENABLE ROW LEVEL SECURITY;
ALTER TABLE governors_packs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON governors_packs USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- A pack is never deleted or edited once released (the route refuses; no DELETE is granted).
GRANT SELECT, INSERT, UPDATE ON governors_packs TO lantern_app;
