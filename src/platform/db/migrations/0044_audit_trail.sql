-- 0044 Reading the audit trail (issue 20): the `audit` capability (who has seen a pupil's record,
-- the school's audit explorer), held by the DSL team, the headteacher and the data-protection
-- officer, and an index that finds one member's entries without walking the whole chain.
-- Never edit this file once landed.
-- The lists below are the union of every capability (alert kind, alert target) that issues 17,
-- 19 and 20 add in migrations 0035, 0036, 0041, 0044 and 0045: each of them sets the whole list, so
-- whichever order an existing database applies them in, no value another needs is dropped.
ALTER TABLE staff_groups DROP CONSTRAINT staff_groups_capabilities_check;
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_capabilities_check
  CHECK (capabilities <@ ARRAY['search', 'export', 'reports', 'admin', 'manage_cases',
                               'retention', 'data_protection', 'staff_concerns', 'audit']::text[]);

-- Existing schools get what a new school is seeded with (core/access/default-groups.ts). Row-level
-- security is forced even on the owner, so each school is entered in turn.
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET capabilities = capabilities || ARRAY['audit']::text[]
      WHERE school_id = s AND key IN ('dsl', 'deputy_dsl', 'headteacher', 'dpo')
        AND NOT ('audit' = ANY (capabilities));
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;

CREATE INDEX audit_events_actor_idx ON audit_events (school_id, actor_id, seq)
  WHERE actor_id IS NOT NULL;
