-- A pupil's chronology is read a page at a time, each source newest first on the screen and
-- oldest first in the PDF, by (time, id) within the pupil (issue 12, src/features/chronology/).
-- Referrals, conversations, MIS events and case events (through their case) already have an index
-- on (school, pupil or case, time) that serves that order, and concerns are reached through
-- concern_pupils (school, pupil). Actions sit in the chronology at coalesce(completed_at,
-- created_at), which no index served: every page sorted all of a pupil's actions. This one lets a
-- page stop after its rows, in either direction.
-- Never edit this file once landed.
CREATE INDEX actions_pupil_chronology_idx
  ON actions (school_id, pupil_id, (coalesce(completed_at, created_at)), id);
