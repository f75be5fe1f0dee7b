-- 0096 A kept copy of a transferred file when its date comes (issue 18): the daily job
-- (src/jobs/transfer-kept-expiry.ts) follows the school's transferred_file rule. Under `destroy`
-- it empties transfers.sent_file and records when (kept_removed_at); under `review` (the default)
-- it keeps the copy and records the day it fell due for review (kept_review_due_on), shown on the
-- transfer page. Neither while a live legal hold covers the pupil or any of the pupil's records.
-- Never edit this file once landed.
ALTER TABLE transfers ADD COLUMN kept_removed_at timestamptz;
ALTER TABLE transfers ADD COLUMN kept_review_due_on date;
-- The copies still kept, by the date they are kept to: what the daily job reads.
CREATE INDEX transfers_kept_until ON transfers (school_id, kept_until)
  WHERE sent_file IS NOT NULL AND kept_until IS NOT NULL;
