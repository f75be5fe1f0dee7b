-- 0046 Parents and forms (issue 21): the `parents` capability (invitations and parent accounts,
-- admission forms and the MIS write-back, medical profiles, consent forms, trips' emergency
-- cards), held by the DSL team, the headteacher and the school administrators. No safeguarding
-- record comes with it. Never edit this file once landed.
-- The list below is the union of every capability earlier migrations set (0035, 0041, 0044) and
-- this one: each of them sets the whole list, so whichever order an existing database applies
-- them in, no value another needs is dropped.
ALTER TABLE staff_groups DROP CONSTRAINT staff_groups_capabilities_check;
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_capabilities_check
  CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases',
                               'retention', 'data_protection', 'staff_concerns', 'audit',
                               'parents']::text[]);

-- Existing schools get what a new school is seeded with (core/access/default-groups.ts). Row-level
-- security is forced even on the owner, so each school is entered in turn.
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET capabilities = capabilities || ARRAY['parents']::text[]
      WHERE school_id = s AND key IN ('dsl', 'deputy_dsl', 'headteacher', 'school_admin')
        AND NOT ('parents' = ANY (capabilities));
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;
