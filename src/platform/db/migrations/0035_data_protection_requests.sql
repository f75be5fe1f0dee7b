-- 0035 The data subject's rights (issue 17), first part: the `data_protection` capability (held by
-- the DPO's group by default; the school may grant it to the headteacher or anyone else) and the
-- register of rights requests — subject access, the educational-record request of maintained
-- schools, rectification, erasure, restriction, objection and portability — on the ICO's clock.
-- The requester's name and contact, the evidence of parental responsibility, the extension's
-- reason and notice, the child's competence and views and the outcome are sealed
-- (sealed-columns.ts): they name people. Never edit this file once landed.
-- The lists below are the union of every capability (alert kind, alert target) that issues 17,
-- 19 and 20 add in migrations 0035, 0036, 0041, 0044 and 0045: each of them sets the whole list, so
-- whichever order an existing database applies them in, no value another needs is dropped.
ALTER TABLE staff_groups DROP CONSTRAINT staff_groups_capabilities_check;
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_capabilities_check
  CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases',
                               'retention', 'data_protection', 'staff_concerns', 'audit']::text[]);

-- Existing schools' DPO groups get what a new school's is seeded with (default-groups.ts).
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET capabilities = capabilities || ARRAY['data_protection']::text[]
      WHERE school_id = s AND key = 'dpo' AND NOT ('data_protection' = ANY (capabilities));
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;

CREATE TABLE dp_requests (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  kind text NOT NULL CHECK (kind IN ('subject_access', 'educational_record', 'rectification',
                                     'erasure', 'restriction', 'objection', 'portability')),
  -- Sealed: the requester's name and how to reach them.
  requester bytea NOT NULL,
  -- The requester as a contact the MIS knows (a parent), when they are one: a restricted contact
  -- blocks release until the DSL has reviewed the request.
  requester_contact_id uuid,
  relationship text NOT NULL CHECK (relationship IN ('self', 'parent', 'carer', 'representative',
                                                     'other')),
  parental_responsibility bytea,
  channel text NOT NULL CHECK (channel IN ('letter', 'email', 'in_person', 'phone', 'web_form',
                                           'social_media', 'other')),
  received_on date NOT NULL,
  identity_verified_on date,
  clarification_asked_on date,
  clarification_received_on date,
  -- The clock as last worked out (requests/clock.ts); null while it is paused.
  due_on date,
  extended_to date,
  extension_reason bytea,
  extension_notice bytea,
  extended_at timestamptz,
  extended_by uuid,
  competence bytea,
  child_views bytea,
  child_voice_at timestamptz,
  child_voice_by uuid,
  dsl_reviewed_at timestamptz,
  dsl_reviewed_by uuid,
  status text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'released', 'completed', 'refused', 'withdrawn')),
  outcome bytea,
  closed_on date,
  closed_by uuid,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  -- When the DPO was alerted that the request falls due soon, and that it is overdue (once each).
  due_alerted_at timestamptz,
  overdue_alerted_at timestamptz,
  PRIMARY KEY (school_id, id),
  CHECK (identity_verified_on IS NULL OR identity_verified_on >= received_on),
  CHECK (clarification_asked_on IS NULL OR clarification_asked_on >= received_on),
  CHECK (clarification_received_on IS NULL OR (clarification_asked_on IS NOT NULL
         AND clarification_received_on >= clarification_asked_on)),
  FOREIGN KEY (school_id, requester_contact_id) REFERENCES contacts (school_id, id),
  FOREIGN KEY (school_id, extended_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, child_voice_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, dsl_reviewed_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, closed_by) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);
CREATE INDEX dp_requests_open ON dp_requests (school_id, due_on) WHERE status = 'open';

CREATE TABLE dp_request_subjects (
  school_id uuid NOT NULL REFERENCES schools(id),
  request_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  PRIMARY KEY (school_id, request_id, pupil_id),
  FOREIGN KEY (school_id, request_id) REFERENCES dp_requests (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dp_requests', 'dp_request_subjects'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON dp_requests TO lantern_app;
GRANT SELECT, INSERT ON dp_request_subjects TO lantern_app;
