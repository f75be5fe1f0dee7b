-- 0096 A kept copy of a transferred file goes when its keep-until date passes (issue 18): the
-- nightly job (src/jobs/transfer-kept-expiry.ts) empties transfers.sent_file and records when
-- (kept_removed_at), unless a live legal hold covers the pupil or any of the pupil's records
-- (then the copy stays until the hold is lifted). Never edit this file once landed.
ALTER TABLE transfers ADD COLUMN kept_removed_at timestamptz;
-- The copies still kept, by the date they are kept to: what the nightly job reads.
CREATE INDEX transfers_kept_until ON transfers (school_id, kept_until)
  WHERE sent_file IS NOT NULL AND kept_until IS NOT NULL;
