// Which rule of the school's retention schedule a concern about an adult is kept under (issue 19,
// KCSIE Part 4), from its triage and its outcome: an allegation (substantiated, unsubstantiated
// or unfounded, or still open) until the member's normal pension age or 10 years from the
// allegation if later; one found false or malicious removed from the member's file at the finding
// (KCSIE: "details of allegations that are found to have been malicious or false should be removed
// from personnel records"); a low-level concern (or one found not to be a concern) until the
// member leaves, then reviewed.
// Pure, so the staff-concerns area (which owns the records) asks it; the periods themselves are
// the school's schedule (schedule-service.ts). To change safely: keep staff-matters.test.ts passing.
import type { Queryable } from '../../platform/db/engine.ts';
import type { RetentionKind } from '../../shared/retention.ts';
import { dueDate, type RetentionFacts } from './rules.ts';
import { schoolSchedule } from './schedule-service.ts';

export type StaffMatterKind = Extract<
  RetentionKind,
  'staff_allegation' | 'staff_allegation_malicious' | 'staff_low_level'
>;

export function staffMatterRetentionKind(
  classification: 'low_level' | 'possibly_meets_threshold' | 'not_a_concern' | null,
  outcome: 'substantiated' | 'false' | 'malicious' | 'unsubstantiated' | 'unfounded' | null,
): StaffMatterKind | null {
  if (outcome === 'malicious' || outcome === 'false') return 'staff_allegation_malicious';
  if (outcome !== null) return 'staff_allegation';
  switch (classification) {
    case null:
      return null;
    case 'possibly_meets_threshold':
      return 'staff_allegation';
    case 'low_level':
    case 'not_a_concern':
      return 'staff_low_level';
    default: {
      const never: never = classification;
      return never;
    }
  }
}

/** The rule in words, with the school's own period (as it is now, or as it was: a tombstone's). */
export function staffMatterRuleWords(kind: StaffMatterKind, rule: { years: number }): string {
  const years = `${rule.years} year${rule.years === 1 ? '' : 's'}`;
  switch (kind) {
    case 'staff_allegation':
      return `Kept until the member's normal pension age or ${years} from the allegation, whichever is later, then reviewed.`;
    case 'staff_allegation_malicious':
      return "Found false or malicious: removed from the member's file at the finding (KCSIE), unless the member asks for it to be kept.";
    case 'staff_low_level':
      return `Kept until the member leaves${rule.years > 0 ? `, then ${years}` : ''}, then reviewed.`;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** The rule in words, with the school's own period, and its date when every fact is known. */
export async function staffMatterRetention(
  q: Queryable,
  kind: StaffMatterKind,
  facts: RetentionFacts,
): Promise<{ kind: StaffMatterKind; dueOn: string | null; rule: string }> {
  const rule = (await schoolSchedule(q))[kind];
  const due = dueDate(rule, facts);
  return { kind, dueOn: due.known ? due.date : null, rule: staffMatterRuleWords(kind, rule) };
}
