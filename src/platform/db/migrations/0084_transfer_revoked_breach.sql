-- 0084 A child-protection file taken back before the receiving school accepted it opens a draft
-- breach (issue 17: "a file or link is sent to the wrong place and revoked"): the register's
-- holders decide whether it went to the wrong school. One draft per revoked transfer (its
-- signal_key names the transfer), so several may be open at once, as for unusual access.
-- Never edit this file once landed.
ALTER TABLE dp_breaches DROP CONSTRAINT dp_breaches_source_check;
ALTER TABLE dp_breaches ADD CONSTRAINT dp_breaches_source_check
  CHECK (source IN ('recorded', 'audit_verify', 'unusual_access', 'transfer_revoked'));
DROP INDEX dp_breaches_one_draft;
CREATE UNIQUE INDEX dp_breaches_one_draft ON dp_breaches (school_id, source)
  WHERE status = 'draft' AND source NOT IN ('unusual_access', 'transfer_revoked');
