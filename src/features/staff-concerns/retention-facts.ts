// The facts a concern about an adult's retention rule counts from (finishing issue 19), read the
// same way for the matter's page and the nightly sweep. What this protects: a date too early would
// put a matter before its reviewers while it must still be kept, so a fact Lantern does not hold
// is "not known" (retention/rules.ts never dates it): the member's date of birth and pension age
// are not held, so an allegation never comes due by itself; the leaving date is the later of the
// MIS's (only once every MIS record of the member has left) and the one a case manager recorded,
// and none at all while the MIS says the member still works here (KCSIE keeps a low-level concern
// until they leave, whatever was recorded); the finding is the day the outcome was recorded. Dates
// are the school's calendar dates.
// To change safely: keep retention-review.test.ts passing.
import type { RetentionFacts } from '../retention/rules.ts';
import { localDate } from './rules.ts';

const MIS_OF_SUBJECT = `FROM mis_staff ms
    WHERE ms.school_id = s.school_id AND ms.user_id = s.subject_user_id`;
/** The MIS's leaving instant of the member a matter names (on `staff_concerns s`), or NULL. */
export const MIS_LEFT_AT_SQL = `(SELECT CASE WHEN bool_or(ms.left_at IS NULL) THEN NULL
    ELSE max(ms.left_at) END ${MIS_OF_SUBJECT})`;
/**
 * Whether the MIS says the member a matter names still works here (a record not marked left):
 * true; every record left: false; no MIS record of them (or no member named): NULL.
 */
export const MIS_EMPLOYED_SQL = `(SELECT bool_or(ms.left_at IS NULL) ${MIS_OF_SUBJECT})`;

export type FactsRow = {
  raised_at: Date;
  outcome_at: Date | null;
  /** YYYY-MM-DD, as a case manager recorded it. */
  subject_left_on: string | null;
  mis_left_at: Date | null;
  /** MIS_EMPLOYED_SQL: true while the MIS says they still work here; NULL if it has no record. */
  mis_employed: boolean | null;
};

/** The columns `FactsRow` reads, on `staff_concerns s`, besides `s.raised_at` (selected anyway). */
export const FACTS_COLUMNS = `s.outcome_at, s.subject_left_on::text AS subject_left_on,
  ${MIS_LEFT_AT_SQL} AS mis_left_at, ${MIS_EMPLOYED_SQL} AS mis_employed`;

const later = (a: string, b: string) => (a >= b ? a : b);

export function retentionFactsOf(r: FactsRow, timeZone: string): RetentionFacts {
  const mis = r.mis_left_at === null ? null : localDate(r.mis_left_at, timeZone);
  // Still employed, as the MIS says: not left, whatever date was recorded before the MIS knew them.
  const recorded = r.mis_employed === true ? null : r.subject_left_on;
  return {
    allegationDate: localDate(r.raised_at, timeZone),
    dateOfBirth: null,
    pensionAge: null,
    findingDate: r.outcome_at === null ? null : localDate(r.outcome_at, timeZone),
    leavingDate: mis === null ? recorded : recorded === null ? mis : later(mis, recorded),
  };
}
