-- 0086 Concerns about adults, finishing issue 19: retention acted on inside the area (a review of
-- the matters whose date under the school's three staff rules has passed, each kept with a reason
-- and a new date or destroyed on the word of two of its case managers, leaving a tombstone), the
-- leaving date a case manager may record for someone the MIS does not know, and the hours before
-- the LADO deadline at which the case manager is warned (a school setting, 6 by default).
-- None of this is in the school-wide retention queue: its reviewers (the DSL team, the DPO) would
-- learn that a matter exists. Who may see and decide is src/features/staff-concerns/policy.ts.
-- Never edit this file once landed.

ALTER TABLE staff_concern_settings ADD COLUMN lado_warn_hours integer NOT NULL DEFAULT 6
  CHECK (lado_warn_hours BETWEEN 1 AND 24);

-- When the person a matter is about left, as the case manager recorded it (a volunteer, a
-- contractor, a supply worker: anyone the MIS does not say has left). The low-level rule counts
-- from the later of this and the MIS's leaving date.
ALTER TABLE staff_concerns ADD COLUMN subject_left_on date;

-- A false allegation is now kept under the malicious rule (KCSIE: removed from the personnel file,
-- features/retention/staff-matters.ts). Matters whose outcome was recorded as false before this
-- still name the allegation rule, which never comes due by itself: move them, school by school
-- (staff_concerns forces row-level security, even on its owner).
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_concerns SET retention_kind = 'staff_allegation_malicious'
      WHERE school_id = s AND outcome = 'false' AND retention_kind = 'staff_allegation';
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;

-- The nightly sweep runs once a day per school.
CREATE TABLE staff_concern_sweeps (
  school_id uuid PRIMARY KEY REFERENCES schools(id),
  swept_on date NOT NULL
);

-- A matter due for its retention decision. `staff_concern_id` has no foreign key: the review
-- outlives the matter it destroyed (as retention_reviews does). One review waits per matter.
CREATE TABLE staff_concern_reviews (
  id uuid NOT NULL,
  school_id uuid NOT NULL REFERENCES schools(id),
  staff_concern_id uuid NOT NULL,
  kind text NOT NULL
    CHECK (kind IN ('staff_allegation', 'staff_allegation_malicious', 'staff_low_level')),
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'kept', 'destroyed')),
  queued_at timestamptz NOT NULL,
  kept_until date,
  keep_reason bytea,
  decided_by uuid,
  decided_at timestamptz,
  PRIMARY KEY (school_id, id),
  CHECK (status <> 'kept' OR kept_until IS NOT NULL),
  FOREIGN KEY (school_id, decided_by) REFERENCES users (school_id, id)
);
CREATE UNIQUE INDEX staff_concern_reviews_one_waiting
  ON staff_concern_reviews (school_id, staff_concern_id) WHERE status = 'pending';
CREATE INDEX staff_concern_reviews_matter_idx
  ON staff_concern_reviews (school_id, staff_concern_id);

-- Each approval of a destruction: two different people (the key forbids the same one twice).
CREATE TABLE staff_concern_review_approvals (
  school_id uuid NOT NULL REFERENCES schools(id),
  review_id uuid NOT NULL,
  approver_id uuid NOT NULL,
  capacity text NOT NULL CHECK (capacity IN ('case_manager')),
  approved_at timestamptz NOT NULL,
  PRIMARY KEY (school_id, review_id, approver_id),
  FOREIGN KEY (school_id, review_id) REFERENCES staff_concern_reviews (school_id, id),
  FOREIGN KEY (school_id, approver_id) REFERENCES users (school_id, id)
);

-- What is left of a destroyed matter: when, by whom, under which rule (as the school had it), its
-- team, and the person it named only as a keyed digest (so the rule that the person named never
-- sees it still holds, and nobody can tell from the row who it was). No content.
CREATE TABLE staff_concern_tombstones (
  school_id uuid NOT NULL REFERENCES schools(id),
  staff_concern_id uuid NOT NULL,
  review_id uuid NOT NULL,
  routed_to text NOT NULL CHECK (routed_to IN ('headteacher', 'chair')),
  subject_digest text,
  kind text NOT NULL
    CHECK (kind IN ('staff_allegation', 'staff_allegation_malicious', 'staff_low_level')),
  rule_trigger text NOT NULL,
  rule_years integer NOT NULL,
  due_on date NOT NULL,
  destroyed_at timestamptz NOT NULL,
  destroyed_by uuid NOT NULL,
  PRIMARY KEY (school_id, staff_concern_id),
  UNIQUE (school_id, review_id),
  FOREIGN KEY (school_id, review_id) REFERENCES staff_concern_reviews (school_id, id),
  FOREIGN KEY (school_id, destroyed_by) REFERENCES users (school_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['staff_concern_sweeps', 'staff_concern_reviews',
                           'staff_concern_review_approvals', 'staff_concern_tombstones']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON staff_concern_sweeps, staff_concern_reviews TO lantern_app;
GRANT SELECT, INSERT ON staff_concern_review_approvals, staff_concern_tombstones TO lantern_app;

-- Destroys the matter of one review, on two approvals: the matter's row (its sealed text, the
-- person's name, the rationale, the theme) and everything recorded against it — LADO contacts,
-- tasks, linked pupils, the alerts pointing at it — and marks the review destroyed. lantern_app
-- has no DELETE on staff_concerns: this is the only way a matter goes. It checks, itself, that
-- the review is this school's and waiting, that two different people approved it, that the one
-- destroying it (p_by) is one of them, and that the tombstone (inserted by the caller in the same
-- transaction) names exactly this review and matter and p_by; anything else raises and the
-- caller's transaction rolls back whole. What this guards against is a slip in the application:
-- a destruction without its two recorded approvals, its tombstone or the whole matter. It is not
-- a wall against lantern_app itself, which may insert the approvals and the tombstone it checks:
-- who may approve (a case manager of the matter, never the person it names) is decided by the
-- application alone (src/features/staff-concerns/retention-review.ts and policy.ts), which also
-- checks all of this first, to refuse with a clear message.
CREATE FUNCTION lantern_destroy_staff_matter(p_review uuid, p_by uuid, p_at timestamptz)
  RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_school uuid := lantern_current_school();
  v_matter uuid;
BEGIN
  IF v_school IS NULL THEN
    RAISE EXCEPTION 'lantern_destroy_staff_matter: no school';
  END IF;
  SELECT r.staff_concern_id INTO v_matter FROM staff_concern_reviews r
   WHERE r.school_id = v_school AND r.id = p_review AND r.status = 'pending'
     AND (SELECT count(DISTINCT a.approver_id) FROM staff_concern_review_approvals a
           WHERE a.school_id = v_school AND a.review_id = r.id) >= 2
     AND EXISTS (SELECT 1 FROM staff_concern_review_approvals a
                  WHERE a.school_id = v_school AND a.review_id = r.id AND a.approver_id = p_by)
     AND EXISTS (SELECT 1 FROM staff_concerns s WHERE s.school_id = v_school
                   AND s.id = r.staff_concern_id)
     AND EXISTS (SELECT 1 FROM staff_concern_tombstones d WHERE d.school_id = v_school
                   AND d.review_id = r.id AND d.staff_concern_id = r.staff_concern_id
                   AND d.destroyed_by = p_by);
  IF v_matter IS NULL THEN
    RAISE EXCEPTION 'lantern_destroy_staff_matter: not a waiting review of this school with two approvals, one by the destroyer, and its tombstone';
  END IF;
  DELETE FROM alerts WHERE school_id = v_school AND target_type = 'staff_concern'
    AND target_id = v_matter;
  DELETE FROM staff_concern_lado_contacts WHERE school_id = v_school AND staff_concern_id = v_matter;
  DELETE FROM staff_concern_tasks WHERE school_id = v_school AND staff_concern_id = v_matter;
  DELETE FROM staff_concern_pupils WHERE school_id = v_school AND staff_concern_id = v_matter;
  DELETE FROM staff_concerns WHERE school_id = v_school AND id = v_matter;
  -- The reasons earlier reviews kept it for are about the matter too.
  UPDATE staff_concern_reviews SET keep_reason = NULL
   WHERE school_id = v_school AND staff_concern_id = v_matter AND id <> p_review;
  UPDATE staff_concern_reviews SET status = 'destroyed', decided_by = p_by, decided_at = p_at
   WHERE school_id = v_school AND id = p_review;
  RETURN v_matter;
END
$$;

REVOKE ALL ON FUNCTION lantern_destroy_staff_matter(uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_destroy_staff_matter(uuid, uuid, timestamptz) TO lantern_app;
