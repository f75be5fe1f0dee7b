-- 0019 MIS feeds as the integrators send them (issue 13). Never edit this file once landed.
--
-- Flags: "previously looked after" joins the MIS's vulnerability flags.
ALTER TABLE pupil_flags DROP CONSTRAINT pupil_flags_flag_check;
ALTER TABLE pupil_flags ADD CONSTRAINT pupil_flags_flag_check
  CHECK (flag IN ('cp_plan', 'cin', 'lac', 'plac', 'sen_support', 'ehcp', 'fsm', 'pupil_premium',
                  'eal', 'young_carer'));

-- Held runs: a full run that would archive more than the school's share of the pupils on roll, or
-- all of its staff, applies nothing and waits here for an administrator. `held` holds the ids it
-- would archive and the counts (names are read from the pupils and staff themselves, as stored);
-- `held_feed` the feed itself, sealed under the school's key, so the decision applies exactly
-- what was held. Both are cleared once an administrator applies or discards the run; a held run
-- left undecided when a later full run is applied is `superseded` (its feed cleared too).
ALTER TABLE mis_sync_runs DROP CONSTRAINT mis_sync_runs_status_check;
ALTER TABLE mis_sync_runs ADD CONSTRAINT mis_sync_runs_status_check
  CHECK (status IN ('applied', 'rejected', 'held', 'released', 'discarded', 'superseded'));
ALTER TABLE mis_sync_runs ADD COLUMN held jsonb;
ALTER TABLE mis_sync_runs ADD COLUMN held_feed bytea;
ALTER TABLE mis_sync_runs ADD COLUMN decided_by uuid;
ALTER TABLE mis_sync_runs ADD COLUMN decided_at timestamptz;
ALTER TABLE mis_sync_runs ADD COLUMN next_cursor text CHECK (length(next_cursor) <= 2000);
ALTER TABLE mis_sync_runs ADD CONSTRAINT mis_sync_runs_decided_by_fkey
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id);
CREATE INDEX mis_sync_runs_held_idx ON mis_sync_runs (school_id) WHERE status = 'held';

-- The school's MIS settings, set on the MIS page: the guard's share, the weekday of the weekly
-- full pull, the school's own CSV headings; and the pull's cursor, stored after a good run.
CREATE TABLE mis_settings (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  guard_percent integer NOT NULL DEFAULT 10 CHECK (guard_percent BETWEEN 1 AND 100),
  full_day integer NOT NULL DEFAULT 0 CHECK (full_day BETWEEN 0 AND 6),
  csv_synonyms jsonb NOT NULL DEFAULT '{}'::jsonb,
  cursor text CHECK (length(cursor) <= 2000),
  cursor_format text CHECK (cursor_format IN ('wonde', 'xporter')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE mis_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE mis_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mis_settings USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON mis_settings TO lantern_app;

-- Administrators are alerted to a held run (the alert holds the run's id only).
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
  CHECK (kind IN ('concern', 'escalation', 'referral_overdue', 'action_reminder', 'access_request',
                  'mis_run_held'));
ALTER TABLE alerts DROP CONSTRAINT alerts_target_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_target_type_check
  CHECK (target_type IN ('concern', 'referral', 'action', 'access_request', 'mis_sync_run'));
