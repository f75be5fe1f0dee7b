// What a medical entry must say, by kind, and when a plan's reminders fall due (issue 21).
// Pure functions, tested in rules.test.ts.
import { badRequest } from '../../core/errors.ts';
import type { EntryContent, MedicalKind } from '../../shared/medical.ts';

/** Refuses content that lacks what its kind needs, with a sentence a person understands. */
export function checkContent(kind: MedicalKind, c: EntryContent): void {
  const need = (ok: unknown, what: string) => {
    if (!ok) throw badRequest(`A ${kind} needs ${what}.`, 'incomplete_entry');
  };
  switch (kind) {
    case 'condition':
      need(c.riskLevel, 'a risk level (low, medium or high)');
      break;
    case 'medication':
      need(c.dose, 'a dose');
      need(c.when, 'when it is given');
      need(c.administeredBy, 'who gives it');
      break;
    case 'allergy':
      need(c.severity, 'a severity');
      break;
    case 'dietary':
      break;
  }
}

const DAY = 86_400_000;
const toDay = (d: Date) => d.toISOString().slice(0, 10);
const dayOf = (iso: string) => new Date(`${iso}T00:00:00Z`);
export const addDays = (iso: string, n: number) => toDay(new Date(dayOf(iso).getTime() + n * DAY));

/**
 * The latest reminder date on or before `today` for a plan expiring on `expiresOn`, or null when
 * none is due yet. The series: 28 days before the expiry, then every 7 days after it (expiry
 * 30 Sep → 2 Sep, 7 Oct, 14 Oct, …) until the plan is replaced (the caller stops asking then).
 */
export function reminderDueOn(expiresOn: string, today: string): string | null {
  const first = addDays(expiresOn, -28);
  if (today < first) return null;
  const after = Math.floor((dayOf(today).getTime() - dayOf(expiresOn).getTime()) / DAY);
  if (after < 7) return first;
  return addDays(expiresOn, Math.floor(after / 7) * 7);
}

/** Today's date in England (a reminder or review is due by the school's calendar, not UTC's). */
export const dayOfDate = (d: Date) => d.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

/** The same day a year on (29 February → 28 February). */
export function addYear(iso: string): string {
  const [y, m, d] = iso.split('-');
  const next = `${Number(y) + 1}-${m}-${m === '02' && d === '29' ? '28' : d}`;
  return next;
}
