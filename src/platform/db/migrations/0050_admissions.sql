-- 0050 Admission forms and the MIS write-back (issue 21). A form's questions are each bound to an
-- MIS field (src/shared/cbds.ts); a form is sent to chosen pupils, each send snapshotting what the
-- MIS holds then (sealed); a parent's answers are staged (sealed), never applied to Lantern's copy:
-- staff accept or reject each field (a rejection's reason sealed, never shown to the parent), and
-- an accepted field joins the write-back queue, exported as a file the MIS imports. Lantern's own
-- pupil and contact rows are left as the MIS sends them. Never edit this file once landed.

CREATE TABLE admission_forms (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  intake text NOT NULL CHECK (intake IN ('nursery', 'reception', 'in_year')),
  -- [{ "field": "<cbds.ts key>", "required": bool }]: no personal data.
  questions jsonb NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);

-- One pupil's copy of a form. `mis_snapshot` is what the MIS held for each bound field when it
-- was sent (for the conflict check); `answers` the parent's answers so far (saved and returned to).
CREATE TABLE admission_requests (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  form_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  sent_by uuid NOT NULL,
  sent_at timestamptz NOT NULL,
  mis_snapshot bytea NOT NULL,
  answers bytea,
  saved_at timestamptz,
  saved_by_contact uuid,
  submitted_at timestamptz,
  submitted_by_contact uuid,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, form_id, pupil_id),
  FOREIGN KEY (school_id, form_id) REFERENCES admission_forms (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, saved_by_contact) REFERENCES contacts (school_id, id),
  FOREIGN KEY (school_id, submitted_by_contact) REFERENCES contacts (school_id, id),
  FOREIGN KEY (school_id, sent_by) REFERENCES users (school_id, id)
);
CREATE INDEX admission_requests_pupil_idx ON admission_requests (school_id, pupil_id);

-- A member's decision on one field of a submitted form. `conflict` records that the MIS had
-- changed the field since the form went out and the member resolved it explicitly.
CREATE TABLE admission_decisions (
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  field text NOT NULL CHECK (length(field) BETWEEN 1 AND 60),
  decision text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
  reason bytea,
  conflict boolean NOT NULL,
  decided_by uuid NOT NULL,
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, request_id, field),
  FOREIGN KEY (school_id, request_id) REFERENCES admission_requests (school_id, id),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id)
);

-- What goes back to the MIS: one row per accepted field, exported once.
CREATE TABLE mis_writeback_exports (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  exported_by uuid NOT NULL,
  exported_at timestamptz NOT NULL,
  row_count integer NOT NULL,
  sha256 text NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, exported_by) REFERENCES users (school_id, id)
);
CREATE TABLE mis_writeback_rows (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  field text NOT NULL,
  value bytea NOT NULL,
  queued_by uuid NOT NULL,
  queued_at timestamptz NOT NULL,
  export_id uuid,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, request_id, field),
  FOREIGN KEY (school_id, request_id) REFERENCES admission_requests (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, queued_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, export_id) REFERENCES mis_writeback_exports (school_id, id)
);
CREATE INDEX mis_writeback_rows_pending_idx ON mis_writeback_rows (school_id) WHERE export_id IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['admission_forms', 'admission_requests', 'admission_decisions',
                           'mis_writeback_exports', 'mis_writeback_rows']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
-- Column grants: the app may write a parent's answers and the submission, change a field's
-- decision, and stamp a queued row with its export once; never the snapshot, the form, the pupil
-- or a queued value.
GRANT SELECT, INSERT ON admission_forms, admission_requests, admission_decisions,
  mis_writeback_rows TO lantern_app;
GRANT UPDATE (answers, saved_at, saved_by_contact, submitted_at, submitted_by_contact)
  ON admission_requests TO lantern_app;
GRANT UPDATE (decision, reason, conflict, decided_by, decided_at) ON admission_decisions
  TO lantern_app;
GRANT UPDATE (export_id) ON mis_writeback_rows TO lantern_app;

-- A row once exported stays with its export: a second export or an undo is refused.
CREATE FUNCTION mis_writeback_export_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.export_id IS NOT NULL AND NEW.export_id IS DISTINCT FROM OLD.export_id THEN
    RAISE EXCEPTION 'mis_writeback_rows: export_id is set once' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER mis_writeback_export_once BEFORE UPDATE ON mis_writeback_rows
  FOR EACH ROW EXECUTE FUNCTION mis_writeback_export_once();
GRANT SELECT, INSERT ON mis_writeback_exports TO lantern_app;
