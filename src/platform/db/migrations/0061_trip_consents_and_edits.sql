-- 0061 A trip names the consent forms that apply to it (issue 21, finishing): its cards carry
-- those forms' answers (not every form asking about the pupil), and its page shows, per pupil,
-- what the parents' answers come to. A trip may be edited until it ends; an edit revokes the
-- cards already downloaded for it (they must be prepared again), and a revocation now says why.
-- Never edit this file once landed.

CREATE TABLE trip_consent_forms (
  school_id uuid NOT NULL REFERENCES schools(id),
  trip_id uuid NOT NULL,
  form_id uuid NOT NULL,
  PRIMARY KEY (school_id, trip_id, form_id),
  FOREIGN KEY (school_id, trip_id) REFERENCES trips (school_id, id),
  FOREIGN KEY (school_id, form_id) REFERENCES consent_forms (school_id, id)
);
ALTER TABLE trip_consent_forms ENABLE ROW LEVEL SECURITY;
ALTER TABLE trip_consent_forms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON trip_consent_forms USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, DELETE ON trip_consent_forms TO lantern_app;

-- Why a bundle was revoked: by hand (a manager, or its holder's lost phone), replaced by the
-- holder's newer download, or because the trip was edited after it was downloaded.
ALTER TABLE trip_card_bundles ADD COLUMN revoked_because text
  CHECK (revoked_because IN ('revoked', 'replaced', 'trip_edited'));
UPDATE trip_card_bundles SET revoked_because = 'revoked' WHERE revoked_at IS NOT NULL;
ALTER TABLE trip_card_bundles ADD CONSTRAINT trip_card_bundles_revoked_because
  CHECK ((revoked_at IS NULL) = (revoked_because IS NULL));
