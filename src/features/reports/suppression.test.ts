// Suppression on worked examples, then by brute force: for many small tables, every value each
// hidden "<5" cell could take, given the total and what is shown, must be more than one.
import { describe, expect, it } from 'vitest';
import { pinned, SECONDARY, suppress, SUPPRESSED, type Cell } from './suppression.ts';

const rows = (...values: number[]) => values.map((v, i) => ({ label: `r${i}`, values: [v] }));
const cells = (r: ReturnType<typeof suppress>) => r.rows.map((x) => x.values[0]);

/** Every value a "<5" cell at `index` could take, given the shown cells and the column total. */
function possible(shown: Cell[], total: number, index: number): Set<number> {
  const hidden = shown.flatMap((c, i) => (c === SUPPRESSED || c === SECONDARY ? [i] : []));
  const visible = shown.reduce<number>((n, c) => n + (typeof c === 'number' ? c : 0), 0);
  const sum = total - visible;
  const out = new Set<number>();
  const walk = (k: number, left: number, mine: number | null) => {
    if (k === hidden.length) {
      if (left === 0 && mine !== null) out.add(mine);
      return;
    }
    const i = hidden[k]!;
    const [lo, hi] = shown[i] === SUPPRESSED ? [1, 4] : [5, left];
    for (let v = lo; v <= Math.min(hi, left); v += 1) walk(k + 1, left - v, i === index ? v : mine);
  };
  walk(0, sum, null);
  return out;
}

describe('small-number suppression', () => {
  it('hides 1 to 4 but shows 0 and 5 or more when nothing can be worked back', () => {
    expect(cells(suppress(rows(0, 1, 4, 5, 12)))).toEqual([0, SUPPRESSED, SUPPRESSED, 5, 12]);
  });

  it('hides the next smallest, marked [c], when one hidden cell could be worked back', () => {
    const out = suppress(rows(3, 20, 7, 9), { label: 'All', values: [39] });
    expect(cells(out)).toEqual([SUPPRESSED, 20, SECONDARY, 9]);
    expect(out.total!.values).toEqual([39]);
  });

  it('does not leave two hidden 1s whose sum the total gives away', () => {
    // Sep 1, Oct 1, Nov 20 with the total 22: "<5" and "<5" would have to be 1 and 1.
    const out = suppress(rows(1, 1, 20), { label: 'All', values: [22] });
    expect(cells(out)).toEqual([SUPPRESSED, SUPPRESSED, SECONDARY]);
  });

  it('hides the total when every other cell is 0 or hidden', () => {
    const out = suppress(rows(2, 0, 0), { label: 'All', values: [2] });
    expect(cells(out)).toEqual([SUPPRESSED, 0, 0]);
    expect(out.total!.values).toEqual([SUPPRESSED]);
    const big = suppress(rows(4, 4, 0), { label: 'All', values: [8] });
    expect(cells(big)).toEqual([SUPPRESSED, SUPPRESSED, 0]);
    expect(big.total!.values).toEqual([SECONDARY]);
  });

  it('works column by column and leaves "not applicable" alone', () => {
    const out = suppress([
      { label: 'Year 7', values: [2, 30, null] },
      { label: 'Year 8', values: [6, 31, null] },
      { label: 'Left', values: [8, null, null] },
    ]);
    expect(out.rows.map((r) => r.values)).toEqual([
      [SUPPRESSED, 30, null],
      [SECONDARY, 31, null],
      [8, null, null],
    ]);
  });

  it('knows when a hidden cell is pinned', () => {
    expect(pinned(1, 0, 3)).toBe(true); // one cell, its value is the sum
    expect(pinned(2, 0, 2)).toBe(true); // 1 and 1
    expect(pinned(2, 0, 8)).toBe(true); // 4 and 4
    expect(pinned(2, 0, 5)).toBe(false);
    expect(pinned(1, 1, 6)).toBe(true); // 1 and 5
    expect(pinned(1, 1, 7)).toBe(false);
  });

  it('never lets a hidden count be worked back from the total, over many tables', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 2_000; n += 1) {
      const values = Array.from({ length: 2 + (next() % 5) }, () => next() % 13);
      const total = values.reduce((a, b) => a + b, 0);
      const out = suppress(rows(...values), { label: 'All', values: [total] });
      if (out.total!.values[0] !== total) continue; // the total is hidden: nothing to work back
      const shown = cells(out) as Cell[];
      shown.forEach((c, i) => {
        if (c === SUPPRESSED) {
          expect(
            possible(shown, total, i).size,
            `${values.join(',')} → ${shown.join(',')}`,
          ).toBeGreaterThan(1);
        }
      });
    }
  });
});
