-- 0015 A sign-in refused by the throttle queues its audit work at most once a minute per email
-- (issue 11, finding 12): the request marks the email's throttle row — made if need be, for real
-- and unknown emails alike, so the answer is the same work — and queues only when the mark is
-- older than a minute. Without it, a client already locked out could add a queue row per request.
-- Never edit this file once landed.
ALTER TABLE sign_in_throttle ADD COLUMN refusal_queued_at timestamptz;
