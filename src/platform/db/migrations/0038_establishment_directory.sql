-- 0038 The establishment directory (issue 18): England's schools as the DfE's "Get Information
-- about Schools" publishes them, loaded by the operator (`lantern directory load`), so a DSL can
-- name the school a child-protection file goes to by its URN. Platform-wide reference data, like
-- bank_holidays: written only by the operator's command (the owner), read by everyone.
-- A school on this Lantern may carry its URN, so a transfer to it stays inside the installation.
-- Each school's own note of the address domain it trusts for a destination lives with the school
-- (transfer_destination_domains). Never edit this file once landed.
CREATE TABLE establishments (
  urn integer PRIMARY KEY CHECK (urn > 0),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300),
  la_name text,
  postcode text,
  status text,
  -- The school's website host as the directory gives it (www. removed): the default domain a
  -- DSL's address at that school must be under.
  website_host text,
  loaded_at timestamptz NOT NULL
);
CREATE INDEX establishments_name ON establishments (lower(name) text_pattern_ops);
GRANT SELECT ON establishments TO lantern_app;

ALTER TABLE schools ADD COLUMN urn integer UNIQUE CHECK (urn > 0);

-- A domain the school's DSL confirmed for a destination's DSL addresses, beyond the directory's.
CREATE TABLE transfer_destination_domains (
  school_id uuid NOT NULL REFERENCES schools(id),
  urn integer NOT NULL REFERENCES establishments(urn),
  domain text NOT NULL CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  confirmed_by uuid NOT NULL,
  confirmed_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, urn),
  FOREIGN KEY (school_id, confirmed_by) REFERENCES users (school_id, id)
);
ALTER TABLE transfer_destination_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_destination_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_destination_domains
  USING (school_id = lantern_current_school()) WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE, DELETE ON transfer_destination_domains TO lantern_app;
