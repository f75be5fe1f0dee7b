// The report's arithmetic on worked examples: months and weeks cut at the range's ends, terms with
// the holidays left over, the nearest-rank percentile, and the academic year's first day.
import { describe, expect, it } from 'vitest';
import {
  academicYearStart,
  ageBands,
  byMonth,
  byTerm,
  byWeek,
  mondayOf,
  percentile,
} from './buckets.ts';

const counts = new Map([
  ['2025-08-31', 5], // before the range
  ['2025-09-01', 1],
  ['2025-09-30', 2],
  ['2025-10-27', 3], // half term
  ['2025-11-02', 4], // a Sunday
]);

describe('report buckets', () => {
  it('counts months and weeks only inside the range, both ends included', () => {
    expect(byMonth(counts, '2025-09-01', '2025-11-02')).toEqual([
      { label: 'September 2025', values: [3] },
      { label: 'October 2025', values: [3] },
      { label: 'November 2025', values: [4] },
    ]);
    const weeks = byWeek(counts, '2025-09-01', '2025-11-02');
    expect(weeks[0]).toEqual({ label: 'w/c 1 Sep 2025', values: [1] });
    expect(weeks.at(-1)).toEqual({ label: 'w/c 27 Oct 2025', values: [7] });
    expect(weeks).toHaveLength(9);
    expect(mondayOf('2025-11-02')).toBe('2025-10-27');
  });

  it('leaves out a term outside the range and puts days in no term on a last row, so the rows add up', () => {
    const terms = [
      { name: 'Autumn 1', startsOn: '2025-09-03', endsOn: '2025-10-24' },
      { name: 'Autumn 2', startsOn: '2025-11-03', endsOn: '2025-12-19' },
    ];
    expect(byTerm(counts, terms, '2025-09-01', '2025-11-02')).toEqual([
      { label: 'Autumn 1', values: [2] },
      { label: 'Outside term (holidays)', values: [8] },
    ]);
  });

  it('takes the nearest-rank percentile, and bands ages', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(ageBands([0, 29, 30, 400]).map((r) => r.values[0])).toEqual([2, 1, 0, 0, 1]);
  });

  it('starts the academic year on 1 September', () => {
    expect(academicYearStart('2026-03-20')).toBe('2025-09-01');
    expect(academicYearStart('2026-09-01')).toBe('2026-09-01');
    expect(academicYearStart('2026-08-31')).toBe('2025-09-01');
  });
});
