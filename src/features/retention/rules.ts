// When a record's retention date falls, as a pure function of its rule and the facts it counts
// from (issue 15). Dates are calendar dates (YYYY-MM-DD), never instants: a pupil's 25th birthday
// is the same day wherever the server's clock is. What this protects: a date too early would put a
// record before its reviewers while it must still be kept; so whenever a fact is missing the
// answer is "not known" (the record is never queued), and where the rule offers a choice of dates
// the later one wins. To change safely: keep the worked examples in rules.test.ts passing.
import type { RetentionRuleSpec } from '../../shared/retention.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The facts a rule may count from; each is a calendar date or absent. */
export type RetentionFacts = {
  dateOfBirth?: string | null;
  /** When the allegation was made (staff allegations). */
  allegationDate?: string | null;
  /** The member's normal pension age in whole years (staff allegations). */
  pensionAge?: number | null;
  findingDate?: string | null;
  leavingDate?: string | null;
  closureDate?: string | null;
};

export type DueDate =
  | { known: true; date: string }
  | {
      known: false;
      missing: 'date_of_birth' | 'allegation' | 'pension_age' | 'finding' | 'leaving' | 'closure';
    };

/**
 * The date `years` after `date`. Someone born on 29 February reaches an age on 1 March in a year
 * that has no 29 February (as English law counts it), which is also the later of the two choices.
 */
export function addYears(date: string, years: number): string {
  const m = DATE.exec(date);
  if (!m) throw new Error(`Not a calendar date: ${date}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const target = new Date(Date.UTC(y + years, mo - 1, d));
  // Date.UTC rolls 29 February into 1 March by itself in a year without it.
  return target.toISOString().slice(0, 10);
}

const later = (a: string, b: string) => (a >= b ? a : b);

/** When a record kept under `rule` reaches its action, from the facts it counts from. */
export function dueDate(
  rule: Pick<RetentionRuleSpec, 'trigger' | 'years'>,
  facts: RetentionFacts,
): DueDate {
  switch (rule.trigger) {
    case 'date_of_birth':
      return facts.dateOfBirth
        ? { known: true, date: addYears(facts.dateOfBirth, rule.years) }
        : { known: false, missing: 'date_of_birth' };
    case 'pension_age_or_allegation': {
      if (!facts.allegationDate) return { known: false, missing: 'allegation' };
      if (!facts.dateOfBirth) return { known: false, missing: 'date_of_birth' };
      if (facts.pensionAge === null || facts.pensionAge === undefined)
        return { known: false, missing: 'pension_age' };
      const pension = addYears(facts.dateOfBirth, facts.pensionAge);
      return { known: true, date: later(pension, addYears(facts.allegationDate, rule.years)) };
    }
    case 'finding':
      return facts.findingDate
        ? { known: true, date: addYears(facts.findingDate, rule.years) }
        : { known: false, missing: 'finding' };
    case 'leaving':
      return facts.leavingDate
        ? { known: true, date: addYears(facts.leavingDate, rule.years) }
        : { known: false, missing: 'leaving' };
    case 'closure':
      return facts.closureDate
        ? { known: true, date: addYears(facts.closureDate, rule.years) }
        : { known: false, missing: 'closure' };
    default: {
      const never: never = rule.trigger;
      return never;
    }
  }
}

/**
 * A record about several pupils is kept until the last of their dates: the latest known date, or
 * not known if any pupil's is not (the record must wait for the missing fact).
 */
export function latestDue(dates: readonly DueDate[]): DueDate | null {
  let best: string | null = null;
  for (const d of dates) {
    if (!d.known) return d;
    best = best === null ? d.date : later(best, d.date);
  }
  return best === null ? null : { known: true, date: best };
}

/** A school's change to one rule, checked: the problem with its period, or null. */
export function periodProblem(spec: RetentionRuleSpec, years: number, max: number): string | null {
  if (!Number.isInteger(years)) return 'The period must be a whole number of years.';
  if (years < 0) return 'A period cannot be negative.';
  if (years < spec.minYears) return spec.minReason;
  if (years > max) return `A period longer than ${max} years is not a retention period.`;
  return null;
}
