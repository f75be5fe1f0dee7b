-- 0077 Subject access (issue 17), the work behind a release: the records gathered for a
-- subject-access, educational-record or portability request (each included or excluded with a
-- coded reason), the redactions made in them, the second person's review, the packs made and the
-- disclosures recorded. No record text is copied here: an item names its source record and its
-- text is read from that record when needed (sealed where the record is). A redaction keeps its
-- offsets and a keyed digest of the text it covers (HMAC under the school's search key), never
-- the text, so it can be found again if the record's text moves and is known stale if it changed.
-- A pack keeps its three files sealed (the school's data key, base64 inside the envelope, as the
-- vault keeps a file) with their SHA-256s: a download serves exactly the bytes made and logged,
-- whatever the MIS, the labels or the records say later. The disclosure's recipient is sealed too
-- (sealed-columns.ts). Never edit this file once landed.
ALTER TABLE dp_requests
  ADD COLUMN gathered_at timestamptz,
  ADD COLUMN ready_at timestamptz,
  ADD COLUMN ready_by uuid,
  ADD COLUMN approved_at timestamptz,
  ADD COLUMN approved_by uuid,
  -- The SHA-256 of the response's content as approved (the JSON copy): a pack is made only from
  -- exactly what the second person approved.
  ADD COLUMN approved_digest text,
  ADD CONSTRAINT dp_requests_ready_by_fk FOREIGN KEY (school_id, ready_by) REFERENCES users (school_id, id),
  ADD CONSTRAINT dp_requests_approved_by_fk FOREIGN KEY (school_id, approved_by) REFERENCES users (school_id, id),
  ADD CONSTRAINT dp_requests_approver_differs CHECK (approved_by IS NULL OR approved_by <> ready_by);

CREATE TABLE dp_request_items (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  -- The subject it was gathered for.
  pupil_id uuid NOT NULL,
  source text NOT NULL CHECK (source IN ('concern', 'action', 'referral', 'conversation',
    'case_event', 'mis_event', 'mis_record', 'contacts', 'alert', 'audit', 'attachment')),
  -- The source row's id (an audit entry's sequence number, the pupil's id for MIS data).
  source_id text NOT NULL,
  found_as text NOT NULL CHECK (found_as IN ('pupil', 'linked_pupil', 'contact', 'named', 'mis',
    'alert', 'audit', 'attachment')),
  -- A linked pupil's role on a concern (victim, witness...).
  role text,
  happened_at timestamptz NOT NULL,
  included boolean NOT NULL DEFAULT true,
  reason text NOT NULL DEFAULT 'gathered' CHECK (reason IN ('gathered', 'about_subject',
    'not_about_subject', 'duplicate', 'third_party', 'child_abuse_data', 'serious_harm', 'crime',
    'legal_privilege', 'confidential_reference')),
  decided_by uuid,
  decided_at timestamptz,
  gathered_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, request_id, source, source_id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id)
);
CREATE INDEX dp_request_items_request ON dp_request_items (school_id, request_id, happened_at);

CREATE TABLE dp_redactions (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  item_id uuid NOT NULL,
  start_at integer NOT NULL CHECK (start_at >= 0),
  end_at integer NOT NULL,
  -- HMAC-SHA-256 (the school's search key) of the covered text, base64url: finds it again.
  span_digest text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('third_party', 'child_abuse_data', 'serious_harm', 'crime',
    'legal_privilege', 'confidential_reference')),
  -- The ICO's three questions, for a third party: can it be redacted (rather than withheld), has
  -- the third party consented, is disclosure reasonable anyway.
  can_redact boolean,
  consent boolean,
  reasonable boolean,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  CHECK (end_at > start_at),
  CHECK (reason <> 'third_party' OR (can_redact IS NOT NULL AND consent IS NOT NULL
         AND reasonable IS NOT NULL)),
  FOREIGN KEY (school_id, item_id) REFERENCES dp_request_items (school_id, id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);
CREATE INDEX dp_redactions_item ON dp_redactions (school_id, item_id);

CREATE TABLE dp_request_packs (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  made_at timestamptz NOT NULL,
  made_by uuid NOT NULL,
  -- The approved content it was made from (dp_requests.approved_digest at the time).
  content_digest text NOT NULL,
  pdf_sha256 text NOT NULL,
  json_sha256 text NOT NULL,
  csv_sha256 text NOT NULL,
  items integer NOT NULL,
  redactions integer NOT NULL,
  -- Sealed: the files as made (PDF, JSON copy, CSV index), never made again from live data.
  pdf_file bytea NOT NULL,
  json_file bytea NOT NULL,
  csv_file bytea NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, made_by) REFERENCES users (school_id, id)
);

CREATE TABLE dp_disclosures (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  pack_id uuid NOT NULL,
  -- Sealed: who it went to.
  recipient bytea NOT NULL,
  method text NOT NULL CHECK (method IN ('post', 'email', 'in_person', 'secure_link')),
  disclosed_on date NOT NULL,
  sha256 text NOT NULL,
  recorded_by uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, pack_id) REFERENCES dp_request_packs (school_id, id),
  FOREIGN KEY (school_id, recorded_by) REFERENCES users (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dp_request_items', 'dp_redactions', 'dp_request_packs',
                           'dp_disclosures'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON dp_request_items TO lantern_app;
GRANT SELECT, INSERT, DELETE ON dp_redactions TO lantern_app;
GRANT SELECT, INSERT ON dp_request_packs, dp_disclosures TO lantern_app;
