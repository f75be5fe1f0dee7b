-- 0033 Drafts (issue 14: nothing typed is ever lost). What a member is writing in a long form —
-- a concern, a conversation note — kept on the server while they type, so that a reload, a lost
-- connection or a records window that ends mid-sentence loses nothing. One draft per member per
-- form; its fields are sealed under the school's key like the record they become
-- (drafts.fields in sealed-columns.ts), and only their author reads them (the service asks for
-- the acting member's own row; no other route reads this table), and a draft written inside a
-- records window is read back only inside one (drafts/service.ts). A draft is deleted when its
-- form is saved or discarded, and one untouched for 30 days is deleted when its author next
-- opens any draft. Never edit this file once landed.
CREATE TABLE drafts (
  id uuid PRIMARY KEY,
  school_id uuid NOT NULL REFERENCES schools(id),
  user_id uuid NOT NULL,
  form text NOT NULL CHECK (form ~ '^[a-z][a-z0-9-]{0,99}$'),
  fields bytea NOT NULL,
  -- Written inside a records window (after a second factor): read back only inside one.
  behind_second_factor boolean NOT NULL DEFAULT false,
  saved_at timestamptz NOT NULL,
  FOREIGN KEY (school_id, user_id) REFERENCES users (school_id, id),
  UNIQUE (school_id, user_id, form)
);

ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drafts USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO lantern_app;
