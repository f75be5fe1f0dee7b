-- 0093 What the sending school keeps of a child-protection file once the next school has
-- confirmed receipt (issue 18 with the retention schedule's "transferred_file" rule, issue 15):
-- nothing, a sealed read-only copy kept to the pupil's date of birth + the rule's years and opened
-- only with a stated reason, or the chronology only. The file as sent is held, sealed under the
-- sending school's key, from sending until acceptance (sent_file); at acceptance it is kept, cut
-- to the chronology or emptied as the school's setting then says (kept, kept_until). Each opening
-- of the kept copy is recorded with its reason (sealed) and audited. Never edit this file once
-- landed.
ALTER TABLE transfers ADD COLUMN sent_file bytea;
ALTER TABLE transfers ADD COLUMN kept text
  CHECK (kept IN ('nothing', 'sealed_copy', 'chronology_only'));
ALTER TABLE transfers ADD COLUMN kept_until date;

CREATE TABLE transfer_copy_openings (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  transfer_id uuid NOT NULL,
  reason bytea NOT NULL,
  opened_by uuid NOT NULL,
  opened_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, transfer_id) REFERENCES transfers (school_id, id),
  FOREIGN KEY (school_id, opened_by) REFERENCES users (school_id, id)
);
CREATE INDEX transfer_copy_openings_transfer ON transfer_copy_openings (school_id, transfer_id);
ALTER TABLE transfer_copy_openings ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_copy_openings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON transfer_copy_openings
  USING (school_id = lantern_current_school()) WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT ON transfer_copy_openings TO lantern_app;
