// Small-number suppression across schools (issue 20). Each school's column is suppressed first, in
// the school's own tenant, by the governors' pack's rule (reports/suppression.ts `suppress`, the
// column's total taken as known, as the pack does): so the trust's snapshot stores the very cells
// the pack shows for that range, "<5" and "[c]" in place of the hidden numbers, and no count from
// 1 to 4 is ever stored where the trust can read it. Across schools, a row's total is published
// only when every figure it adds up is published, and the grand total only when every school's
// total is: each published sum is then a sum of published figures, so the only facts about a
// hidden cell are those of its own school's column — which the pack's rule already guards, even
// against another table's total of the same records (the "Records by term" total and the
// category rows): where the pack has to hide a school's total of records, it hides every count of
// the tables adding up those same records too (governors-pack.ts relatedHidden).
// suppression.test.ts tries every value of every hidden cell of two related tables
// across schools. To change safely: keep that test, and never store a number the pack would hide.
import { SECONDARY, type Cell } from '../reports/suppression.ts';

/** One school's column of one table, as the pack suppressed it. */
export type SchoolColumn = { rows: readonly Cell[]; total?: Cell };

const sumIfShown = (values: readonly Cell[]): Cell => {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return null;
  let sum = 0;
  for (const v of present) {
    if (typeof v !== 'number') return SECONDARY;
    sum += v;
  }
  return sum;
};

/**
 * The schools' columns side by side: each row with its total across schools appended, and (when
 * the table has a total) the total row — each school's total, then their sum.
 */
export function combineAcross(
  columns: readonly SchoolColumn[],
  withTotal: boolean,
): { rows: Cell[][]; total?: Cell[] } {
  const height = Math.max(0, ...columns.map((c) => c.rows.length));
  const rows = [...Array(height).keys()].map((r) => {
    const cells = columns.map((c) => c.rows[r] ?? 0);
    return [...cells, sumIfShown(cells)];
  });
  if (!withTotal) return { rows };
  const totals = columns.map((c) => c.total ?? SECONDARY);
  return { rows, total: [...totals, sumIfShown(totals)] };
}
