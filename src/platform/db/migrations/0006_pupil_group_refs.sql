-- A pupil's registration and teaching groups, as the own_groups permission scope compares them
-- with a member of staff's staff_teaching_groups: 'form:<form name>' for the registration group
-- and the MIS id of each live teaching group the pupil belongs to. SECURITY INVOKER (the
-- default), so row-level security applies to what it reads; used by the SQL list filters and by
-- single-record checks alike, so both answer the same.
CREATE FUNCTION lantern_pupil_group_refs(pupil uuid, form text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN form IS NULL THEN '{}'::text[] ELSE ARRAY['form:' || form] END
    || coalesce((SELECT array_agg(g.mis_id ORDER BY g.mis_id)
                 FROM mis_group_members m JOIN mis_groups g ON g.id = m.group_id
                 WHERE m.member_kind = 'pupil' AND m.member_id = pupil
                   AND g.kind = 'teaching' AND g.archived_at IS NULL), '{}'::text[])
$$;
GRANT EXECUTE ON FUNCTION lantern_pupil_group_refs(uuid, text) TO lantern_app;
