-- A case's owner and review date change while it is open (issue 4: "a case has an owner, status
-- and review date"), and each change stays in the case history like every other step: the event
-- names the new owner or the new review date (ids and a date, nothing sensitive, so not sealed).
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check CHECK (kind IN (
  'opened', 'joined', 'closed', 'no_further_action', 'reopened', 'owner_changed',
  'review_date_changed'));
ALTER TABLE case_events ADD COLUMN owner_id uuid REFERENCES users(id);
ALTER TABLE case_events ADD COLUMN review_on date;
