// Small-number suppression for figures that leave the school (the governors' pack, issue 20). A
// count from 1 to 4 could point to a child a governor knows, so it is shown as "<5" (primary
// suppression). The column's total is taken to be known (the pack or another figure may publish
// it), so the hidden cells' sum is known too; while that sum leaves any hidden "<5" cell with
// only one possible value, the next smallest non-zero cell is hidden as well, marked "[c]" (it is
// 5 or more: a different mark, so nothing false is printed) — or, when no cell is left, the total.
// Worked out per column. The numbers hidden never leave the server: the stored pack holds the
// marks in their place. To change safely: keep the test that tries every possible value of each
// hidden cell against the published total (suppression.test.ts).

export const SUPPRESSED = '<5' as const;
export const SECONDARY = '[c]' as const;
export type Cell = number | typeof SUPPRESSED | typeof SECONDARY | null;
export type Line = { label: string; values: Cell[] };

const small = (v: number) => v >= 1 && v <= 4;

/**
 * Whether a reader who knows the hidden cells' sum, that each "<5" is 1 to 4 and each "[c]" is 5
 * or more, could pin down a "<5" cell: its possible values are [max(1, S − Σ others' highest),
 * min(4, S − Σ others' lowest)], and one value is too few.
 */
export function pinned(primary: number, secondary: number, sum: number): boolean {
  if (primary === 0) return false;
  const othersLowest = (primary - 1) * 1 + secondary * 5;
  const highest = Math.min(4, sum - othersLowest);
  const lowest = secondary > 0 ? 1 : Math.max(1, sum - (primary - 1) * 4);
  return highest - lowest < 1;
}

/**
 * Suppresses a table's rows and total, column by column. Nulls are "not applicable" and are left
 * alone; the total (when the table has one) is hidden only when nothing else will do.
 */
export function suppress(
  rows: readonly { label: string; values: readonly (number | null)[] }[],
  total?: { label: string; values: readonly (number | null)[] },
): { rows: Line[]; total?: Line } {
  const outRows: Line[] = rows.map((r) => ({ label: r.label, values: [...r.values] }));
  const outTotal: Line | undefined = total
    ? { label: total.label, values: [...total.values] }
    : undefined;
  const width = Math.max(0, ...rows.map((r) => r.values.length));
  for (let col = 0; col < width; col += 1) {
    const value = (i: number) => rows[i]!.values[col];
    const primary = new Set<number>();
    rows.forEach((_, i) => {
      const v = value(i);
      if (typeof v === 'number' && small(v)) primary.add(i);
    });
    const secondary = new Set<number>();
    const hiddenSum = () =>
      [...primary, ...secondary].reduce((n, i) => n + (value(i) as number), 0);
    let totalHidden = false;
    while (pinned(primary.size, secondary.size, hiddenSum())) {
      let pick = -1;
      rows.forEach((_, i) => {
        const v = value(i);
        if (primary.has(i) || secondary.has(i) || typeof v !== 'number' || v === 0) return;
        if (pick === -1 || v < (value(pick) as number)) pick = i;
      });
      if (pick === -1) {
        totalHidden = true;
        break;
      }
      secondary.add(pick);
    }
    // A small total is itself a small number.
    const t = total?.values[col];
    if (typeof t === 'number' && small(t)) totalHidden = true;
    for (const i of primary) outRows[i]!.values[col] = SUPPRESSED;
    for (const i of secondary) outRows[i]!.values[col] = SECONDARY;
    if (outTotal && totalHidden) {
      outTotal.values[col] = typeof t === 'number' && small(t) ? SUPPRESSED : SECONDARY;
    }
  }
  return outTotal ? { rows: outRows, total: outTotal } : { rows: outRows };
}

/**
 * A school's columns of the tables that count the same records (by term, by category), given its
 * total of records as the pack shows it (`total`: "[c]" or "<5" when any of these columns had to
 * hide it): when that total is hidden, every non-zero count is too — or a category row holding
 * all the records would give the total back (terms 5 and 1, total hidden, one category of 6), or
 * the total would pin a category (categories 1 and 5 under a total of 6).
 */
export function hideWithTheirTotal(columns: readonly (readonly Cell[])[], total: Cell): Cell[][] {
  if (typeof total === 'number') return columns.map((c) => [...c]);
  return columns.map((c) => c.map((v) => (typeof v === 'number' && v > 0 ? SECONDARY : v)));
}
