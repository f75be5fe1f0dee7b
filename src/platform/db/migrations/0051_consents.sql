-- 0051 Consent forms, versioned (issue 21). Each version keeps its text, the text's SHA-256, its
-- number and dates; a new version supersedes the last and asks every parent again. Answers are
-- events, appended and never changed (no UPDATE or DELETE is granted): each bound to one version,
-- one pupil and one contact with parental responsibility, so answers to version 1 stay readable
-- after version 2, and a withdrawal is a new event that takes effect from then on. Reminders
-- until answered are recorded per pupil, contact and version. Never edit this file once landed.

CREATE TABLE consent_forms (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);

CREATE TABLE consent_versions (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  form_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  body_sha256 text NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  published_by uuid NOT NULL,
  published_at timestamptz NOT NULL,
  valid_from date NOT NULL,
  valid_until date,
  superseded_at timestamptz,
  withdrawn_at timestamptz,
  PRIMARY KEY (school_id, id),
  UNIQUE (school_id, form_id, version),
  FOREIGN KEY (school_id, form_id) REFERENCES consent_forms (school_id, id),
  FOREIGN KEY (school_id, published_by) REFERENCES users (school_id, id)
);

-- The pupils a form asks about.
CREATE TABLE consent_form_pupils (
  school_id uuid NOT NULL REFERENCES schools(id),
  form_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, form_id, pupil_id),
  FOREIGN KEY (school_id, form_id) REFERENCES consent_forms (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id)
);

CREATE TABLE consent_answers (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  version_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  answer text NOT NULL CHECK (answer IN ('given', 'refused', 'withdrawn')),
  -- A parent's note ("not on social media"): free text about a child, sealed.
  note bytea,
  answered_at timestamptz NOT NULL,
  -- The order answers were given in, even two in the same instant: the latest counts.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, version_id) REFERENCES consent_versions (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id)
);
CREATE INDEX consent_answers_pupil_idx ON consent_answers (school_id, pupil_id, version_id);

CREATE TABLE consent_reminders (
  school_id uuid NOT NULL REFERENCES schools(id),
  version_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  last_sent_at timestamptz NOT NULL,
  sent integer NOT NULL,
  PRIMARY KEY (school_id, version_id, pupil_id, contact_id),
  FOREIGN KEY (school_id, version_id) REFERENCES consent_versions (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id),
  FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['consent_forms', 'consent_versions', 'consent_form_pupils',
                           'consent_answers', 'consent_reminders']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
-- A version's text and hash are never rewritten: only its end (superseded or withdrawn) is set.
GRANT SELECT, INSERT ON consent_forms, consent_versions, consent_reminders TO lantern_app;
GRANT UPDATE (superseded_at, withdrawn_at) ON consent_versions TO lantern_app;
GRANT UPDATE (last_sent_at, sent) ON consent_reminders TO lantern_app;
GRANT SELECT, INSERT ON consent_form_pupils TO lantern_app;
-- Answers are never changed: a withdrawal or a new answer is a new row.
GRANT SELECT, INSERT ON consent_answers TO lantern_app;
