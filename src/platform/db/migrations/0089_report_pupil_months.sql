-- 0089 The reports at the benchmark school's size (issue 20: 2,000 pupils, 200,000 records, the
-- page under 300 ms).
--
-- 1. report_pupil_months: report_pupil_days folded by month. The reports page asks which pupils
-- have records the reader may open over a range (usually the academic year so far): from the days
-- that was a year of days for each pupil and category set (100,000s of rows at this size). It now
-- reads whole months inside the range from here and days only for the part-months at its ends,
-- and the days not yet folded (features/reports/rollup.ts). Kept only by the fold
-- (foldRollup: the job every few minutes, and retention's destruction in its own transaction):
-- each row is the sum of the FOLDED rows of report_pupil_days of its month, pupil and category
-- set, so months + unfolded days = every day, whatever a request appends meanwhile. Keys that
-- come to nothing are dropped, as the days' are.
-- Never edit this file once landed.
CREATE TABLE report_pupil_months (
  school_id uuid NOT NULL REFERENCES schools(id),
  -- the first day of the month
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  pupil_id uuid NOT NULL,
  category_ids uuid[] NOT NULL CHECK (cardinality(category_ids) > 0),
  n integer NOT NULL,
  PRIMARY KEY (school_id, month, pupil_id, category_ids)
);

-- What the folded days hold already.
INSERT INTO report_pupil_months (school_id, month, pupil_id, category_ids, n)
  SELECT school_id, date_trunc('month', day)::date, pupil_id, category_ids, sum(n)::int
    FROM report_pupil_days WHERE folded
   GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;

ALTER TABLE report_pupil_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_pupil_months FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_pupil_months USING (school_id = lantern_current_school())
  WITH CHECK (school_id = lantern_current_school());
-- The fold (as the school) writes; the reports read.
GRANT SELECT, INSERT, UPDATE, DELETE ON report_pupil_months TO lantern_app;
