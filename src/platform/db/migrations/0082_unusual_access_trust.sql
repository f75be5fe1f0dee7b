-- 0082 Unusual access by trust members (issue 20): a trust member (trust safeguarding lead or
-- executive: their own account, never a row of the school's `users`) reading a granted school's
-- records is audited in that school's chain with actor_id NULL and their id in the entry's details
-- (`trustMember`, core/trust-context.ts); the scan now judges those reads by the same rules. A
-- signal names exactly one actor: a member of staff (member_id) or a trust member
-- (trust_member_id). Its alert has its own kind, and points at the signal, so the alert names the
-- trust member and their trust. Never edit this file once landed.
ALTER TABLE access_signals ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE access_signals ADD COLUMN trust_member_id uuid REFERENCES trust_members(id);
ALTER TABLE access_signals ADD CONSTRAINT access_signals_one_actor
  CHECK (num_nonnulls(member_id, trust_member_id) = 1);
-- Once per trust member per rule per window, as for staff (NULLs are distinct, so each unique
-- key binds only the rows of its own kind of actor).
ALTER TABLE access_signals ADD CONSTRAINT access_signals_trust_once
  UNIQUE (school_id, rule, trust_member_id, window_key);

INSERT INTO alert_kinds (kind) VALUES ('unusual_access_trust') ON CONFLICT DO NOTHING;
INSERT INTO alert_target_types (target_type) VALUES ('access_signal') ON CONFLICT DO NOTHING;

-- A trust member under a grant runs with lantern.school_id set to the granting school
-- (tenancy.ts inTrust), so tenant_isolation alone would let them read the signals about their own
-- reads, the watch list, and the alerts raised about them. These restrictive policies hide those
-- rows from any transaction that carries a trust member (lantern.trust_member_id, set only by
-- inTrust/inTrustAs); the scan job and the school's staff never set it, so they are unchanged.
CREATE POLICY no_trust_member ON access_signals AS RESTRICTIVE
  USING (coalesce(current_setting('lantern.trust_member_id', true), '') = '');
CREATE POLICY no_trust_member ON access_watch AS RESTRICTIVE
  USING (coalesce(current_setting('lantern.trust_member_id', true), '') = '');
CREATE POLICY no_trust_member_unusual ON alerts AS RESTRICTIVE
  USING (kind <> 'unusual_access_trust'
         OR coalesce(current_setting('lantern.trust_member_id', true), '') = '');
