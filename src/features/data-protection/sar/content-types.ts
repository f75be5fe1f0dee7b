// The shapes every item reader shares (content.ts, content-mis.ts).
import type { Tx } from '../../../core/context.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';

export type Person = {
  name: string;
  kind: 'pupil' | 'contact' | 'staff';
  role: string | null;
  pupilId?: string;
};
export type Content = {
  title: string;
  author: string | null;
  /**
   * The author is a member of the school's staff (a user of Lantern), so the school's policy of
   * redacting staff names applies to them; not a parent, the MIS, a sending school or Lantern.
   */
  authorIsStaff?: boolean;
  text: string;
  people: Person[];
  /**
   * The text is a table under these headings: one row a line, its cells separated by a tab (the
   * audit item). Redactions work on the text as on any other; the pack splits it after.
   */
  columns?: string[];
};
export type Reader = (t: Tx, s: Sealer, ids: string[]) => Promise<Map<string, Content>>;

export const words = (s: string) => s.replaceAll('_', ' ');

/** A table's rows as the text of an item: a row a line, cells separated by a tab. */
export const tableText = (rows: readonly (readonly string[])[]) =>
  rows.map((r) => r.map((c) => c.replace(/[\t\n]+/g, ' ')).join('\t')).join('\n');

/** A date (YYYY-MM-DD) as the pack prints it: 5 September 2025. */
export const dayOf = (d: string | Date | null) =>
  d === null
    ? null
    : new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
      }).format(typeof d === 'string' ? new Date(`${d.slice(0, 10)}T12:00:00Z`) : d);
