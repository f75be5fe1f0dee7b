-- 0055 Trips and their offline emergency cards (issue 21, part M). A trip has dates, leaders
-- (members of staff) and pupils. A leader downloads the trip's cards to a phone as one bundle,
-- encrypted (AES-256-GCM) under a random key held here sealed (`bundle_key`), released only to
-- the leader's elevated session, never after the bundle expires (the trip's end plus 24 hours)
-- or is revoked. Never edit this file once landed.

CREATE TABLE trips (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, id),
  CHECK (ends_on >= starts_on),
  FOREIGN KEY (school_id, created_by) REFERENCES users (school_id, id)
);

CREATE TABLE trip_leaders (
  school_id uuid NOT NULL REFERENCES schools(id),
  trip_id uuid NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (school_id, trip_id, user_id),
  FOREIGN KEY (school_id, trip_id) REFERENCES trips (school_id, id),
  FOREIGN KEY (school_id, user_id) REFERENCES users (school_id, id)
);

CREATE TABLE trip_pupils (
  school_id uuid NOT NULL REFERENCES schools(id),
  trip_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  PRIMARY KEY (school_id, trip_id, pupil_id),
  FOREIGN KEY (school_id, trip_id) REFERENCES trips (school_id, id),
  FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id)
);

-- One download of a trip's cards to one leader's device.
CREATE TABLE trip_card_bundles (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  trip_id uuid NOT NULL,
  user_id uuid NOT NULL,
  bundle_key bytea NOT NULL,
  -- SHA-256 of a random token given to the device with the bundle: with it the device asks
  -- whether the cards were revoked, and sends its offline log, without a Lantern session.
  status_token_hash bytea NOT NULL,
  pupils integer NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  key_released_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid,
  PRIMARY KEY (school_id, id),
  FOREIGN KEY (school_id, trip_id) REFERENCES trips (school_id, id),
  FOREIGN KEY (school_id, user_id) REFERENCES users (school_id, id),
  FOREIGN KEY (school_id, revoked_by) REFERENCES users (school_id, id)
);
CREATE INDEX trip_card_bundles_trip_idx ON trip_card_bundles (school_id, trip_id);

-- The events of a bundle's offline log already recorded, by the id the device gave each: a log
-- sent twice (a lost answer, two tabs) is recorded once.
CREATE TABLE trip_card_events (
  school_id uuid NOT NULL REFERENCES schools(id),
  bundle_id uuid NOT NULL,
  event_id uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, bundle_id, event_id),
  FOREIGN KEY (school_id, bundle_id) REFERENCES trip_card_bundles (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['trips', 'trip_leaders', 'trip_pupils', 'trip_card_bundles',
                           'trip_card_events']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON trips, trip_card_bundles TO lantern_app;
GRANT SELECT, INSERT ON trip_card_events TO lantern_app;
GRANT SELECT, INSERT, DELETE ON trip_leaders, trip_pupils TO lantern_app;
