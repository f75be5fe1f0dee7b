-- 0013 Access approvals (issue 11, finding 3): granting record access is a two-person act. A
-- change an administrator makes that would add someone to the DSL team, or give anyone view of a
-- restricted category, waits here until a DSL, a deputy or the headteacher approves it; it is then
-- applied in the same transaction as the decision. The change itself is plain data (group ids,
-- access levels, a group's settings): no record text, no names. Never edit this file once landed.

CREATE TABLE access_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id uuid NOT NULL REFERENCES schools(id),
  kind text NOT NULL CHECK (kind IN ('membership', 'group', 'category_access')),
  -- membership: the member to add; group and category_access: null.
  user_id uuid REFERENCES users(id),
  group_id uuid NOT NULL,
  category_id uuid,
  -- group: the restricted default and scope asked for; category_access: {"access": …};
  -- membership: {}.
  change jsonb NOT NULL,
  -- Why it needs approval: joining the DSL team, joining the headteacher's group (whose members
  -- approve), or view of restricted records.
  reason text NOT NULL CHECK (reason IN ('dsl_team', 'approvers', 'restricted')),
  requested_by uuid NOT NULL REFERENCES users(id),
  requested_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn', 'superseded')),
  decided_by uuid REFERENCES users(id),
  decided_at timestamptz,
  FOREIGN KEY (school_id, group_id) REFERENCES staff_groups (school_id, id),
  FOREIGN KEY (school_id, category_id) REFERENCES categories (school_id, id),
  CHECK ((kind = 'membership') = (user_id IS NOT NULL)),
  CHECK ((kind = 'category_access') = (category_id IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX access_requests_pending_idx ON access_requests (school_id, status, requested_at);
-- One pending request for the same change at a time.
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests
  (school_id, kind, group_id, coalesce(user_id, group_id), coalesce(category_id, group_id))
  WHERE status = 'pending';

ALTER TABLE access_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON access_requests USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT, UPDATE ON access_requests TO lantern_app;

-- The DSL team is alerted to every such request (the alert holds the request's id only).
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
  CHECK (kind IN ('concern', 'escalation', 'referral_overdue', 'action_reminder', 'access_request'));
ALTER TABLE alerts DROP CONSTRAINT alerts_target_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_target_type_check
  CHECK (target_type IN ('concern', 'referral', 'action', 'access_request'));
