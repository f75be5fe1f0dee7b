-- 0075 The reports' daily rollup (issues 12 and 20): records counted by England's day and the set
-- of their categories, and by pupil, day and category set, so the reports page reads a year of
-- days rather than a year of records (2.85 s at 200,000 records before, against a 300 ms goal).
--
-- Kept by triggers, so no code path that adds, edits, files or destroys a record can forget it:
-- each change to a record's categories, pupils or date appends a row of -1 for what the record
-- counted as before (report_records) and +1 for what it counts as now, one record at a time (the
-- record's row is locked for the recount). Requests only ever append, so two teachers logging at
-- once never wait on one counter row; jobs/report-rollup.ts folds each school's rows into one per
-- key every few minutes, dropping keys that come to nothing, and retention folds them in the
-- transaction that destroys records. A record with no category counts nowhere here (nobody but
-- its author may open it; the reports add an author's own such records live).
-- Never edit this file once landed.
CREATE TABLE report_days (
  school_id uuid NOT NULL REFERENCES schools(id),
  day date NOT NULL,
  category_ids uuid[] NOT NULL CHECK (cardinality(category_ids) > 0),
  n integer NOT NULL,
  -- false: a change appended by a request, not yet folded into its key's one row
  folded boolean NOT NULL DEFAULT false
);
CREATE INDEX report_days_school_day ON report_days (school_id, day);
CREATE INDEX report_days_unfolded ON report_days (school_id) WHERE NOT folded;

CREATE TABLE report_pupil_days (
  school_id uuid NOT NULL REFERENCES schools(id),
  day date NOT NULL,
  pupil_id uuid NOT NULL,
  category_ids uuid[] NOT NULL CHECK (cardinality(category_ids) > 0),
  n integer NOT NULL,
  folded boolean NOT NULL DEFAULT false
);
CREATE INDEX report_pupil_days_school_day ON report_pupil_days (school_id, day);
CREATE INDEX report_pupil_days_unfolded ON report_pupil_days (school_id) WHERE NOT folded;

-- England's day of a moment: the reports' date basis.
CREATE FUNCTION lantern_report_day(at timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (at AT TIME ZONE 'Europe/London')::date $$;

CREATE FUNCTION lantern_report_categories(concern uuid) RETURNS uuid[]
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(array_agg(category_id ORDER BY category_id), '{}')
          FROM concern_categories WHERE concern_id = concern $$;

CREATE FUNCTION lantern_report_pupils(concern uuid) RETURNS uuid[]
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(array_agg(pupil_id ORDER BY pupil_id), '{}')
          FROM concern_pupils WHERE concern_id = concern $$;

-- What each record counts as in the rollup now: its day, category set and pupils. A record's
-- links can change in one statement together (a record and its pupils and categories are written
-- by one statement), and a trigger fires only once the whole statement is done, so each change
-- recounts the record from this row rather than from what the statement changed.
CREATE TABLE report_records (
  school_id uuid NOT NULL REFERENCES schools(id),
  concern_id uuid NOT NULL,
  day date NOT NULL,
  category_ids uuid[] NOT NULL,
  pupil_ids uuid[] NOT NULL,
  PRIMARY KEY (school_id, concern_id)
);

-- Adds (sign +1) or takes away (-1) one record's count for a day, category set and pupils.
CREATE FUNCTION lantern_report_count(school uuid, d date, cats uuid[], pupils uuid[], sign integer)
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(cats) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO report_days (school_id, day, category_ids, n) VALUES (school, d, cats, sign);
  INSERT INTO report_pupil_days (school_id, day, pupil_id, category_ids, n)
    SELECT school, d, p, cats, sign FROM unnest(pupils) AS p;
END $$;

-- Brings records' counts up to date, as one statement for however many records a statement
-- changed: what each counted as is taken away and what it counts as now added, once, however
-- many changes of the statement asked; changes that cancel out append nothing.
CREATE FUNCTION lantern_report_recount(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- One recount of a record at a time: two transactions changing one record's links wait here for
  -- each other, and the statement below (a fresh snapshot) sees what the first committed. Without
  -- it the second would take away the first's state but add its own stale view.
  -- (Each record found by its key: `id = ANY (ids)` over many ids was planned as a scan of every
  -- record in the table.)
  PERFORM 1 FROM unnest(ids) AS x(id) JOIN concerns c ON c.id = x.id
    ORDER BY c.id FOR NO KEY UPDATE OF c;
  WITH cur AS (
    SELECT c.id AS concern_id, c.school_id, lantern_report_day(c.happened_at) AS day,
           lantern_report_categories(c.id) AS cats, lantern_report_pupils(c.id) AS pupils
      FROM unnest(ids) AS x(id) JOIN concerns c ON c.id = x.id),
  was AS (
    SELECT r.* FROM report_records r JOIN cur
        ON r.school_id = cur.school_id AND r.concern_id = cur.concern_id
       FOR UPDATE OF r),
  moved AS (
    SELECT cur.* FROM cur LEFT JOIN was w ON w.concern_id = cur.concern_id
     WHERE w.concern_id IS NULL OR w.day <> cur.day OR w.category_ids <> cur.cats
        OR w.pupil_ids <> cur.pupils),
  deltas AS (
    SELECT w.school_id, w.day, w.category_ids AS cats, w.pupil_ids AS pupils, -1 AS sign
      FROM was w JOIN moved m ON m.concern_id = w.concern_id
    UNION ALL
    SELECT school_id, day, cats, pupils, 1 FROM moved),
  by_day AS (
    INSERT INTO report_days (school_id, day, category_ids, n)
    SELECT school_id, day, cats, sum(sign) FROM deltas WHERE cardinality(cats) > 0
     GROUP BY school_id, day, cats HAVING sum(sign) <> 0),
  by_pupil AS (
    INSERT INTO report_pupil_days (school_id, day, pupil_id, category_ids, n)
    SELECT d.school_id, d.day, p, d.cats, sum(d.sign) FROM deltas d CROSS JOIN LATERAL unnest(d.pupils) AS p
     WHERE cardinality(d.cats) > 0
     GROUP BY d.school_id, d.day, p, d.cats HAVING sum(d.sign) <> 0)
  INSERT INTO report_records (school_id, concern_id, day, category_ids, pupil_ids)
  SELECT school_id, concern_id, day, cats, pupils FROM moved
  ON CONFLICT (school_id, concern_id) DO UPDATE SET day = EXCLUDED.day,
    category_ids = EXCLUDED.category_ids, pupil_ids = EXCLUDED.pupil_ids;
END $$;

CREATE FUNCTION lantern_report_on_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lantern_report_recount(ARRAY(SELECT DISTINCT concern_id FROM changed));
  RETURN NULL;
END $$;

CREATE FUNCTION lantern_report_on_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lantern_report_recount(ARRAY[NEW.id]);
  RETURN NULL;
END $$;

-- A record destroyed: its links went first (their foreign keys require it), taking its count
-- with them; what it counted as is forgotten with it. Retention's destruction then folds the
-- school's rollup in the same transaction (features/retention/destroy.ts), so nothing of the
-- record (its day, pupils and categories) is left for a later fold.
CREATE FUNCTION lantern_report_forget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was report_records%ROWTYPE;
BEGIN
  DELETE FROM report_records WHERE school_id = OLD.school_id AND concern_id = OLD.id RETURNING * INTO was;
  IF FOUND THEN
    PERFORM lantern_report_count(was.school_id, was.day, was.category_ids, was.pupil_ids, -1);
  END IF;
  RETURN OLD;
END $$;

-- A statement at a time (transition tables allow one event per trigger).
CREATE TRIGGER report_rollup_added AFTER INSERT ON concern_categories
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lantern_report_on_links();
CREATE TRIGGER report_rollup_removed AFTER DELETE ON concern_categories
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lantern_report_on_links();
CREATE TRIGGER report_rollup_added AFTER INSERT ON concern_pupils
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lantern_report_on_links();
CREATE TRIGGER report_rollup_removed AFTER DELETE ON concern_pupils
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lantern_report_on_links();
CREATE TRIGGER report_rollup_moved AFTER UPDATE OF happened_at ON concerns
  FOR EACH ROW WHEN (lantern_report_day(OLD.happened_at) IS DISTINCT FROM lantern_report_day(NEW.happened_at))
  EXECUTE FUNCTION lantern_report_on_moved();
CREATE TRIGGER report_rollup_destroyed BEFORE DELETE ON concerns
  FOR EACH ROW EXECUTE FUNCTION lantern_report_forget();

-- What the records already held count as now, before the tables are walled.
INSERT INTO report_records (concern_id, school_id, day, category_ids, pupil_ids)
  SELECT c.id, c.school_id, lantern_report_day(c.happened_at), lantern_report_categories(c.id),
         lantern_report_pupils(c.id)
    FROM concerns c;
INSERT INTO report_days (school_id, day, category_ids, n, folded)
  SELECT school_id, day, category_ids, count(*)::int, true FROM report_records
   WHERE cardinality(category_ids) > 0
   GROUP BY school_id, day, category_ids;
INSERT INTO report_pupil_days (school_id, day, pupil_id, category_ids, n, folded)
  SELECT r.school_id, r.day, p, r.category_ids, count(*)::int, true
    FROM report_records r CROSS JOIN LATERAL unnest(r.pupil_ids) AS p
   WHERE cardinality(r.category_ids) > 0
   GROUP BY 1, 2, 3, 4;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['report_records', 'report_days', 'report_pupil_days']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (school_id = lantern_current_school()) '
                   'WITH CHECK (school_id = lantern_current_school())', t);
  END LOOP;
END
$$;
-- Requests append (through the triggers) and read; the fold (as the school) deletes and re-inserts.
GRANT SELECT, INSERT, DELETE ON report_days, report_pupil_days TO lantern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON report_records TO lantern_app;
