// Suppression on worked examples, each trying to recover a hidden count from what is shown.
import { describe, expect, it } from 'vitest';
import { suppress, SUPPRESSED } from './suppression.ts';

const rows = (...values: number[]) => values.map((v, i) => ({ label: `r${i}`, values: [v] }));
const cells = (r: ReturnType<typeof suppress>) => r.rows.map((x) => x.values[0]);

describe('small-number suppression', () => {
  it('hides 1 to 4 but shows 0 and 5 or more', () => {
    expect(cells(suppress(rows(0, 1, 4, 5, 12)))).toEqual([0, SUPPRESSED, SUPPRESSED, 5, 12]);
  });

  it('hides the next smallest when one hidden cell could be worked back from the total', () => {
    const out = suppress(rows(3, 20, 7, 9), { label: 'All', values: [39] });
    // 3 alone hidden would be 39 - 20 - 7 - 9; so 7 (the next smallest) is hidden too.
    expect(cells(out)).toEqual([SUPPRESSED, 20, SUPPRESSED, 9]);
    expect(out.total!.values).toEqual([39]);
  });

  it('hides the total when every other cell is 0', () => {
    const out = suppress(rows(2, 0, 0), { label: 'All', values: [2] });
    expect(cells(out)).toEqual([SUPPRESSED, 0, 0]);
    expect(out.total!.values).toEqual([SUPPRESSED]);
  });

  it('works column by column and leaves "not applicable" alone', () => {
    const out = suppress([
      { label: 'Year 7', values: [2, 30, null] },
      { label: 'Year 8', values: [6, 31, null] },
      { label: 'Left', values: [8, null, null] },
    ]);
    expect(out.rows.map((r) => r.values)).toEqual([
      [SUPPRESSED, 30, null],
      [SUPPRESSED, 31, null],
      [8, null, null],
    ]);
  });

  it('leaves a column with two hidden cells as it is', () => {
    expect(cells(suppress(rows(1, 2, 50)))).toEqual([SUPPRESSED, SUPPRESSED, 50]);
  });
});
