-- 0026 An action can be cancelled (issue 14): when a case is closed with actions still open, the
-- DSL says for each whether it is completed, cancelled with a reason, or kept open. A cancelled
-- action keeps its reason in `outcome` (sealed, as a completed action's outcome is) and is done
-- with: it leaves "My actions". Never edit this file once landed.
ALTER TABLE actions ADD COLUMN cancelled_at timestamptz;
ALTER TABLE actions ADD COLUMN cancelled_by uuid;
ALTER TABLE actions ADD CONSTRAINT actions_cancelled_by_fkey
  FOREIGN KEY (school_id, cancelled_by) REFERENCES users (school_id, id);
ALTER TABLE actions ADD CONSTRAINT actions_done_once
  CHECK (completed_at IS NULL OR cancelled_at IS NULL);
ALTER TABLE actions ADD CONSTRAINT actions_cancelled_with_reason
  CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL)
    AND (cancelled_at IS NULL OR outcome IS NOT NULL));
