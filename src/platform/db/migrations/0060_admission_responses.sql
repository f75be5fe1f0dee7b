-- 0060 Each parent's own answers to an admission form (issue 21, finishing). Until now the first
-- parent to start a child's form owned it; now every parent with parental responsibility fills
-- their own copy of the same form (neither sees the other's), staff review each parent's
-- submission field by field, and a field where two parents' submitted answers differ is shown as a
-- disagreement (staff choose; nothing is applied automatically). The request row keeps what is
-- shared (the form, the child, the MIS snapshot); a response row is one parent's answers, sealed
-- under `admission_responses.answers` bound to "<request>:<contact>". A decision now names whose
-- answer it decided. Existing answers and reasons are re-sealed by the step below. Never edit this
-- file once landed.

CREATE TABLE admission_responses (
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  answers bytea NOT NULL,
  saved_at timestamptz NOT NULL,
  submitted_at timestamptz,
  PRIMARY KEY (school_id, request_id, contact_id),
  FOREIGN KEY (school_id, request_id) REFERENCES admission_requests (school_id, id),
  FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id)
);
ALTER TABLE admission_responses ENABLE ROW LEVEL SECURITY;
ALTER TABLE admission_responses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON admission_responses USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- A parent writes their own answers and their submission; nothing else of the row changes.
GRANT SELECT, INSERT ON admission_responses TO lantern_app;
GRANT UPDATE (answers, saved_at, submitted_at) ON admission_responses TO lantern_app;

-- Whose answer a decision was about. Reasons are re-sealed bound to "<request>:<contact>:<field>".
ALTER TABLE admission_decisions ADD COLUMN contact_id uuid;

-- The answers of the one parent who had started each form become that parent's response (the
-- bytes copied as they are; the step re-seals them, and each reason, under the new binding).
INSERT INTO admission_responses (school_id, request_id, contact_id, answers, saved_at,
    submitted_at)
  SELECT school_id, id, saved_by_contact, answers, saved_at, submitted_at
  FROM admission_requests WHERE saved_by_contact IS NOT NULL AND answers IS NOT NULL;
UPDATE admission_decisions d SET contact_id = r.submitted_by_contact
  FROM admission_requests r WHERE r.school_id = d.school_id AND r.id = d.request_id;
-- A decision on a form nobody submitted cannot exist (decideField refuses); drop none silently.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM admission_decisions WHERE contact_id IS NULL) THEN
    RAISE EXCEPTION 'admission_decisions: a decision with no submitting parent';
  END IF;
END
$$;
-- lantern:step reseal_admission_answers_per_parent
UPDATE admission_requests SET answers = NULL WHERE answers IS NOT NULL;
ALTER TABLE admission_decisions ALTER COLUMN contact_id SET NOT NULL;
ALTER TABLE admission_decisions DROP CONSTRAINT admission_decisions_pkey;
ALTER TABLE admission_decisions ADD PRIMARY KEY (school_id, request_id, contact_id, field);
ALTER TABLE admission_decisions ADD FOREIGN KEY (school_id, contact_id)
  REFERENCES contacts (school_id, id);
-- A decision on one parent's field is made by the member choosing it; the parent it was about
-- never changes.
GRANT INSERT ON admission_decisions TO lantern_app;
