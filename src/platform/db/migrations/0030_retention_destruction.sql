-- 0030 Destroying an approved batch of records, and its certificate of destruction (issue 15).
-- Never edit this file once landed.
--
-- lantern_app is granted no DELETE on any record table. Destruction goes through one function,
-- owned by the owner and run as it (SECURITY DEFINER), which deletes only records of the current
-- school whose review is `approved` — with a DSL-team approval and a headteacher-or-DPO approval,
-- which the approvals' primary key makes two different people — and which no live legal hold
-- covers at that moment; anything else raises and the caller's transaction rolls back whole. The
-- application checks the same first, to refuse with a clear message and audit the attempt
-- (src/features/retention/destroy.ts); this is the second wall. Row-level security applies inside
-- the function as everywhere (forced on the owner), and every statement names the school too.

-- A record hold names its record by id, as a review does, and outlives the record: a lifted hold
-- on a record later destroyed is still the account of who held it and why.
ALTER TABLE retention_holds DROP CONSTRAINT retention_holds_school_id_concern_id_fkey;

-- The certificate of destruction: one per batch, kept permanently (no UPDATE or DELETE is granted
-- to anyone but the owner). `body` is the batch's canonical JSON (ids, kinds, pseudonymous subject
-- references, the rule, approvers and dates, method; no content) and `sha256` its digest, which
-- the audit entry `retention.destroyed` carries too.
CREATE TABLE retention_certificates (
  id uuid PRIMARY KEY,
  school_id uuid NOT NULL REFERENCES schools(id),
  destroyed_at timestamptz NOT NULL,
  destroyed_by uuid NOT NULL,
  records integer NOT NULL CHECK (records > 0),
  body text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  UNIQUE (school_id, id),
  FOREIGN KEY (school_id, destroyed_by) REFERENCES users (school_id, id)
);
CREATE INDEX retention_certificates_school_idx
  ON retention_certificates (school_id, destroyed_at DESC, id);
ALTER TABLE retention_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON retention_certificates
  USING (school_id = lantern_current_school()) WITH CHECK (school_id = lantern_current_school());
GRANT SELECT, INSERT ON retention_certificates TO lantern_app;

ALTER TABLE retention_reviews ADD COLUMN certificate_id uuid;
ALTER TABLE retention_reviews ADD CONSTRAINT retention_reviews_certificate_fkey
  FOREIGN KEY (school_id, certificate_id) REFERENCES retention_certificates (school_id, id);
ALTER TABLE retention_reviews ADD CONSTRAINT retention_reviews_destroyed_certificate_check
  CHECK (status <> 'destroyed' OR certificate_id IS NOT NULL);

-- Destroys the records of these reviews, all or none, and marks the reviews destroyed under the
-- certificate (already inserted by the caller in the same transaction). Answers how many records
-- were destroyed. What goes with each record: its versions, categories, pupil links, triage,
-- attachments and their bytes, search tokens and body map (columns of the rows deleted), the
-- actions, referrals (and their follow-ups) and conversations recorded against it, the case
-- events naming it, the alerts pointing at any of these; and a case left with no record at all,
-- with its events and the work recorded on it. The pupil and their MIS data stay (another rule).
CREATE FUNCTION lantern_destroy_records(p_reviews uuid[], p_certificate uuid, p_by uuid,
                                        p_at timestamptz)
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_school uuid := lantern_current_school();
  v_concerns uuid[];
  v_cases uuid[];
  v_empty uuid[];
  v_actions uuid[];
  v_referrals uuid[];
  v_n integer := coalesce(array_length(p_reviews, 1), 0);
BEGIN
  IF v_school IS NULL OR v_n = 0 THEN
    RAISE EXCEPTION 'lantern_destroy_records: no school, or no reviews';
  END IF;
  -- The certificate: of this school, unused, and listing exactly these reviews.
  IF NOT EXISTS (
       SELECT 1 FROM retention_certificates c
        WHERE c.id = p_certificate AND c.school_id = v_school AND c.records = v_n
          AND NOT EXISTS (SELECT 1 FROM retention_reviews r WHERE r.certificate_id = c.id)
          AND (SELECT array_agg((x->>'review')::uuid ORDER BY (x->>'review')::uuid)
                 FROM json_array_elements(c.body::json->'records') x)
              = (SELECT array_agg(y ORDER BY y) FROM unnest(p_reviews) y)) THEN
    RAISE EXCEPTION 'lantern_destroy_records: no unused certificate of this school lists this batch';
  END IF;

  -- Every review: of this school, approved, with both approvals, its record still there.
  SELECT array_agg(r.concern_id) INTO v_concerns
  FROM retention_reviews r
  WHERE r.id = ANY (p_reviews) AND r.school_id = v_school AND r.status = 'approved'
    AND EXISTS (SELECT 1 FROM retention_approvals a
                WHERE a.review_id = r.id AND a.capacity = 'dsl_team')
    AND EXISTS (SELECT 1 FROM retention_approvals a
                WHERE a.review_id = r.id AND a.capacity IN ('headteacher', 'dpo'))
    AND EXISTS (SELECT 1 FROM concerns k WHERE k.id = r.concern_id AND k.school_id = v_school);
  IF coalesce(array_length(v_concerns, 1), 0) <> v_n
     OR (SELECT count(DISTINCT x) FROM unnest(p_reviews) x) <> v_n THEN
    RAISE EXCEPTION 'lantern_destroy_records: a review is not an approved one of this school';
  END IF;

  -- No live hold of any scope covers any of them (the same test as holds.ts's heldRecords).
  PERFORM 1 FROM concerns k JOIN retention_holds h ON h.school_id = v_school
    AND h.lifted_at IS NULL AND (
         h.concern_id = k.id
      OR (h.scope = 'date_range' AND k.happened_at::date BETWEEN h.from_date AND h.to_date)
      OR h.pupil_id IN (SELECT cp.pupil_id FROM concern_pupils cp WHERE cp.concern_id = k.id)
      OR h.category_id IN (SELECT cc.category_id FROM concern_categories cc
                           WHERE cc.concern_id = k.id))
  WHERE k.id = ANY (v_concerns) AND k.school_id = v_school;
  IF FOUND THEN
    RAISE EXCEPTION 'lantern_destroy_records: a record is under a legal hold';
  END IF;

  SELECT array_agg(DISTINCT case_id) INTO v_cases FROM concerns
   WHERE id = ANY (v_concerns) AND school_id = v_school AND case_id IS NOT NULL;
  -- Cases whose every record is in this batch go with them.
  SELECT array_agg(c.id) INTO v_empty FROM cases c
   WHERE c.id = ANY (coalesce(v_cases, '{}')) AND c.school_id = v_school
     AND NOT EXISTS (SELECT 1 FROM concerns k WHERE k.case_id = c.id AND k.school_id = v_school
                       AND NOT (k.id = ANY (v_concerns)));
  v_empty := coalesce(v_empty, '{}');

  SELECT array_agg(id) INTO v_actions FROM actions
   WHERE school_id = v_school AND (concern_id = ANY (v_concerns) OR case_id = ANY (v_empty));
  SELECT array_agg(id) INTO v_referrals FROM referrals
   WHERE school_id = v_school AND (concern_id = ANY (v_concerns) OR case_id = ANY (v_empty));
  v_actions := coalesce(v_actions, '{}');
  v_referrals := coalesce(v_referrals, '{}');

  DELETE FROM alerts WHERE school_id = v_school AND (
       (target_type = 'concern' AND target_id = ANY (v_concerns))
    OR (target_type = 'action' AND target_id = ANY (v_actions))
    OR (target_type = 'referral' AND target_id = ANY (v_referrals)));
  DELETE FROM referral_followups WHERE school_id = v_school AND referral_id = ANY (v_referrals);
  DELETE FROM referrals WHERE school_id = v_school AND id = ANY (v_referrals);
  DELETE FROM actions WHERE school_id = v_school AND id = ANY (v_actions);
  DELETE FROM conversations WHERE school_id = v_school
    AND (concern_id = ANY (v_concerns) OR case_id = ANY (v_empty));
  DELETE FROM case_events WHERE school_id = v_school
    AND (concern_id = ANY (v_concerns) OR case_id = ANY (v_empty));
  DELETE FROM concern_triage WHERE school_id = v_school AND concern_id = ANY (v_concerns);
  DELETE FROM attachment_blobs b USING attachments a
   WHERE b.attachment_id = a.id AND b.school_id = v_school AND a.school_id = v_school
     AND a.concern_id = ANY (v_concerns);
  DELETE FROM attachments WHERE school_id = v_school AND concern_id = ANY (v_concerns);
  DELETE FROM concern_versions WHERE school_id = v_school AND concern_id = ANY (v_concerns);
  DELETE FROM concern_categories WHERE school_id = v_school AND concern_id = ANY (v_concerns);
  DELETE FROM concern_pupils WHERE school_id = v_school AND concern_id = ANY (v_concerns);
  DELETE FROM concerns WHERE school_id = v_school AND id = ANY (v_concerns);
  DELETE FROM cases WHERE school_id = v_school AND id = ANY (v_empty);

  UPDATE retention_reviews SET status = 'destroyed', certificate_id = p_certificate,
         decided_by = p_by, decided_at = p_at
   WHERE school_id = v_school AND id = ANY (p_reviews);
  RETURN v_n;
END
$$;

REVOKE ALL ON FUNCTION lantern_destroy_records(uuid[], uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_destroy_records(uuid[], uuid, uuid, timestamptz) TO lantern_app;
