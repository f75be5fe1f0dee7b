// Dates as people in English schools read them, in the browser's own time zone, and the words for
// the server's codes that several features show.
import { pupilRoleLabel } from '../../../src/shared/pupil-roles.ts';

const when = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatWhen(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : when.format(d);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The value a datetime-local input wants for a moment, in local time, to the minute. */
export function toLocalInput(d: Date): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** A word for each role a pupil may have in a record (PUPIL_ROLES, the concerns schema). */
export const roleLabel = pupilRoleLabel;

export function statusLabel(status: string): string {
  const s = status.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A code as words: "no_further_action" → "No further action". */
export const words = (s: string) => {
  const w = s.replaceAll('_', ' ');
  return w.charAt(0).toUpperCase() + w.slice(1);
};

/** A choice a select offers: the server's code and its words. */
export type Choice = readonly [value: string, label: string];

export function labelOf(choices: readonly Choice[], value: string): string {
  return choices.find(([v]) => v === value)?.[1] ?? words(value);
}

/** A calendar date such as a review date ("2026-03-14") as "14 March 2026". */
export function formatDay(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
}
