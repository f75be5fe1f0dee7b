-- 0014 Keys to users carry the school too (issue 11, finding 11; 0009 did the rest). A foreign key
-- is checked past row-level security, so a single-column key to users let a request name a member
-- of staff of another school (as an action's assignee, a case's owner…) and learn from the answer
-- that the account exists. Every key from a tenant table (one with school_id) to users now runs
-- over (school_id, id), keeping its name: a row can only name a member of its own school. Done by
-- looking the keys up, so a key added by an earlier migration is never missed. Never edit this
-- file once landed.

ALTER TABLE users ADD CONSTRAINT users_school_id_id_key UNIQUE (school_id, id);

DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.conname, c.conrelid::regclass AS tbl, a.attname AS col
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND cardinality(c.conkey) = 1
      AND c.conrelid <> 'users'::regclass
      AND EXISTS (SELECT 1 FROM pg_attribute s
                  WHERE s.attrelid = c.conrelid AND s.attname = 'school_id' AND NOT s.attisdropped)
    ORDER BY 2, 1
  LOOP
    EXECUTE format(
      'ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I FOREIGN KEY (school_id, %I) REFERENCES users (school_id, id)',
      r.tbl, r.conname, r.conname, r.col);
  END LOOP;
END
$$;
