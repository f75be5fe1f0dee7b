-- 0054 Medical and care profiles (issue 21, part M): a pupil's conditions (with a risk level),
-- medications (dose, when, who gives them), allergies (severity) and dietary needs, and their
-- individual healthcare or action plans (a document with an expiry date). Every entry's content
-- and every plan document are sealed (sealed-columns.ts). Nothing is ever overwritten: a change
-- is a new row (a version of its entry, `entry_key`) that waits for the other side — a change
-- proposed by staff waits for a parent's confirmation, one proposed by a parent for a staff
-- acknowledgement — and is current once both are given; the version it replaces is then marked
-- superseded. Who reads it: src/features/medical/policy.ts. Never edit this file once landed.

CREATE TABLE medical_entries (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL,
  -- The same item across its versions.
  entry_key uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('condition', 'medication', 'allergy', 'dietary')),
  -- The item's content (name, risk level or severity, dose, when, who administers, notes), or
  -- NULL for a version that removes the item.
  content bytea,
  removal boolean NOT NULL DEFAULT false,
  proposed_by_kind text NOT NULL CHECK (proposed_by_kind IN ('staff', 'parent')),
  -- A member of staff's user id or a parent account's id (engineer P's table): no foreign key,
  -- since it names one of two tables.
  proposed_by uuid NOT NULL,
  proposed_at timestamptz NOT NULL,
  parent_confirmed_at timestamptz,
  parent_confirmed_by uuid,
  staff_acknowledged_at timestamptz,
  staff_acknowledged_by uuid,
  declined_at timestamptz,
  declined_by_kind text CHECK (declined_by_kind IN ('staff', 'parent')),
  superseded_at timestamptz,
  PRIMARY KEY (school_id, id),
  CHECK (removal OR content IS NOT NULL),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, staff_acknowledged_by) REFERENCES users (school_id, id)
);
CREATE INDEX medical_entries_pupil_idx ON medical_entries (school_id, pupil_id, entry_key);
-- At most one current version of an item (answers lock the item's chain; this is the last wall).
CREATE UNIQUE INDEX medical_entries_one_current ON medical_entries (school_id, pupil_id, entry_key)
  WHERE declined_at IS NULL AND superseded_at IS NULL AND parent_confirmed_at IS NOT NULL
    AND staff_acknowledged_at IS NOT NULL;

-- An individual healthcare plan or action plan: the document (sealed, like the vault's files) and
-- its expiry. Replacing one links the new plan from the old (`replaced_by`), which ends the old
-- one's reminders. It needs the same two confirmations as an entry.
CREATE TABLE medical_plans (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  pupil_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('healthcare_plan', 'action_plan')),
  title bytea NOT NULL,
  file_name bytea NOT NULL,
  mime text NOT NULL,
  size_bytes integer NOT NULL,
  content bytea NOT NULL,
  expires_on date NOT NULL,
  proposed_by_kind text NOT NULL CHECK (proposed_by_kind IN ('staff', 'parent')),
  proposed_by uuid NOT NULL,
  proposed_at timestamptz NOT NULL,
  parent_confirmed_at timestamptz,
  parent_confirmed_by uuid,
  staff_acknowledged_at timestamptz,
  staff_acknowledged_by uuid,
  declined_at timestamptz,
  replaces uuid,
  replaced_at timestamptz,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, replaces) REFERENCES medical_plans (school_id, id)
);
CREATE INDEX medical_plans_pupil_idx ON medical_plans (school_id, pupil_id);
-- At most one agreed plan replaces a given plan (answers lock the replaced plan; the last wall).
CREATE UNIQUE INDEX medical_plans_one_replacement ON medical_plans (school_id, replaces)
  WHERE replaces IS NOT NULL AND declined_at IS NULL AND parent_confirmed_at IS NOT NULL
    AND staff_acknowledged_at IS NOT NULL;
CREATE INDEX medical_plans_expiry_idx ON medical_plans (expires_on) WHERE replaced_at IS NULL;

-- The reminders sent to the parents about a plan's expiry: one row per due date, so a reminder is
-- never sent twice, whichever process runs the job.
CREATE TABLE medical_plan_reminders (
  school_id uuid NOT NULL REFERENCES schools(id),
  plan_id uuid NOT NULL,
  due_on date NOT NULL,
  sent_at timestamptz NOT NULL,
  recipients integer NOT NULL,
  PRIMARY KEY (school_id, plan_id, due_on),
  FOREIGN KEY (school_id, plan_id) REFERENCES medical_plans (school_id, id)
);

-- The annual review of each plan, a task for staff: due a year after the plan was added or last
-- reviewed; done when a member records it.
CREATE TABLE medical_plan_reviews (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  plan_id uuid NOT NULL,
  due_on date NOT NULL,
  done_at timestamptz,
  done_by uuid,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, plan_id, due_on),
  FOREIGN KEY (school_id, plan_id) REFERENCES medical_plans (school_id, id),
  FOREIGN KEY (school_id, done_by) REFERENCES users (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['medical_entries', 'medical_plans', 'medical_plan_reminders',
                           'medical_plan_reviews']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
-- No DELETE, and UPDATE only of the columns that record answers: history is kept, and what was
-- proposed (content, documents, who proposed it and when) can never be rewritten by the app.
GRANT SELECT, INSERT ON medical_entries, medical_plans, medical_plan_reminders,
  medical_plan_reviews TO lantern_app;
GRANT UPDATE (parent_confirmed_at, parent_confirmed_by, staff_acknowledged_at,
  staff_acknowledged_by, declined_at, declined_by_kind, superseded_at) ON medical_entries
  TO lantern_app;
GRANT UPDATE (parent_confirmed_at, parent_confirmed_by, staff_acknowledged_at,
  staff_acknowledged_by, declined_at, replaced_at) ON medical_plans TO lantern_app;
GRANT UPDATE (done_at, done_by) ON medical_plan_reviews TO lantern_app;
