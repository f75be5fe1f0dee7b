-- 0090 A child-protection file sent to a school on no Lantern (issue 18): a single-recipient
-- link, emailed to the receiving school's DSL address (under the domain the directory holds for
-- that school, or one this school's DSL confirmed). The link's token and its one-time codes are
-- stored only as hashes; the file as sent is frozen here, sealed under the sending school's own
-- key, with the address. Opening needs a code sent to that address (separately); a correct code
-- gives the browser a short-lived view key (a cookie, stored here as a hash). The link expires
-- after the school's link_days (14 by default) and the sender can revoke it. Rows belong to the
-- sending school only: the recipient never has a session and every answer is read under that
-- school's tenancy through the two look-ups below. Never edit this file once landed.
ALTER TABLE transfer_settings ALTER COLUMN clock_rule SET DEFAULT 'school_days';
ALTER TABLE transfer_settings ADD COLUMN link_days integer NOT NULL DEFAULT 14
  CHECK (link_days BETWEEN 1 AND 60);

CREATE TABLE transfer_links (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  transfer_id uuid NOT NULL,
  -- The recipient's address (sealed text); its domain, plain, for the refusal's audit and checks.
  email bytea NOT NULL,
  domain text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  -- The whole file as sent: pupil, items, withheld reasons, manifest (sealed JSON).
  file bytea NOT NULL,
  manifest_sha256 text NOT NULL,
  expires_at timestamptz NOT NULL,
  -- live: usable until expires_at; revoked: by the sender; replaced: by a "send again" link;
  -- accepted: the recipient confirmed receipt (the link then shows only that).
  state text NOT NULL CHECK (state IN ('live', 'revoked', 'replaced', 'accepted')),
  code_hash bytea,
  code_expires_at timestamptz,
  code_sent_at timestamptz,
  code_failures integer NOT NULL DEFAULT 0,
  view_hash bytea UNIQUE,
  view_expires_at timestamptz,
  opened_at timestamptz,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, transfer_id) REFERENCES transfers (school_id, id),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);
CREATE INDEX transfer_links_transfer ON transfer_links (school_id, transfer_id);

ALTER TABLE transfer_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_links USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON transfer_links TO lantern_app;

-- Before the school is known: one link by its token's hash, or by its view key's hash.
CREATE FUNCTION lantern_find_transfer_link(p_token_hash bytea)
  RETURNS TABLE (link_id uuid, school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id FROM transfer_links WHERE token_hash = p_token_hash $$;
CREATE FUNCTION lantern_find_transfer_view(p_view_hash bytea)
  RETURNS TABLE (link_id uuid, school_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, school_id FROM transfer_links WHERE view_hash = p_view_hash $$;
REVOKE ALL ON FUNCTION lantern_find_transfer_link(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lantern_find_transfer_view(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_find_transfer_link(bytea) TO lantern_app;
GRANT EXECUTE ON FUNCTION lantern_find_transfer_view(bytea) TO lantern_app;
