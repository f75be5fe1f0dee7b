// Suppression across schools (issue 20), tried on two related tables at once, as the trust sees
// them beside the governors' pack (with one school, as the pack itself shows them): each school's records counted by term (with the school's total,
// which the pack publishes too) and by category (rows adding up to the same total). Each school's
// columns are suppressed by the pack's own packTables (as the snapshot is), then combined across schools;
// every published number is taken as known, each "<5" as 1–4, each pack "[c]" as 5 or more, each
// hidden total as anything, and every assignment of the hidden values consistent with all of them
// is tried: each "<5" must keep at least two possible values, so none can be worked out.
import { describe, expect, it } from 'vitest';
import { combineAcross } from './suppression.ts';
import type { Cell } from '../reports/suppression.ts';
import { packTables } from '../reports/governors-pack.ts';
import type { Report } from '../../shared/schemas/reports.ts';

/** A small deterministic generator, so a failure names its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type School = { terms: number[]; categories: number[] };

/** A school's report as buildReport shapes it: records by term (with its total), by category. */
function reportOf(s: School): Report {
  const table = (id: string, values: number[], total: boolean) => ({
    id,
    title: id,
    definition: '',
    chart: 'bar' as const,
    columns: ['Row', 'Records'],
    rows: values.map((v, i) => ({ label: `${id}${i}`, values: [v] })),
    ...(total
      ? { total: { label: 'All records', values: [values.reduce((a, b) => a + b, 0)] } }
      : {}),
  });
  return {
    from: '2025-09-01',
    to: '2026-08-31',
    generatedAt: new Date(0).toISOString(),
    tables: [
      table('records_by_term', s.terms, true),
      table('records_by_category', s.categories, false),
    ],
    withheld: [],
  };
}

/** What the trust's two tables publish for these schools (the snapshot's path: the pack's tables). */
function publish(schools: readonly School[]) {
  const cols = schools.map((s) => {
    const tables = packTables(reportOf(s));
    const term = tables.find((x) => x.id === 'records_by_term')!;
    const cat = tables.find((x) => x.id === 'records_by_category')!;
    return {
      term: { rows: term.rows.map((r) => r.values[0]!), total: term.total!.values[0]! },
      cat: { rows: cat.rows.map((r) => r.values[0]!) },
    };
  });
  return {
    term: combineAcross(
      cols.map((c) => c.term),
      true,
    ),
    cat: combineAcross(
      cols.map((c) => c.cat),
      false,
    ),
  };
}

/**
 * Every value each hidden school cell can take: variables are the hidden cells, the hidden school
 * totals and hidden row totals; the constraints are each school's term cells and category cells
 * adding up to its total, each row adding up to its total across schools, and the schools' totals
 * to the grand total.
 */
function possibleValues(schools: readonly School[], shown: ReturnType<typeof publish>) {
  const S = schools.length;
  const T = schools[0]!.terms.length;
  const K = schools[0]!.categories.length;
  const max = Math.max(...schools.map((s) => s.terms.reduce((a, b) => a + b, 0))) * S + 8;
  type Var = { shown: Cell; lo: number; hi: number; value?: number; schoolCell: boolean };
  const vars: Var[] = [];
  const ref = (c: Cell, schoolCell: boolean): Var => {
    const v: Var =
      typeof c === 'number'
        ? { shown: c, lo: c, hi: c, schoolCell: false }
        : c === '<5'
          ? { shown: c, lo: 1, hi: 4, schoolCell }
          : c === '[c]' && schoolCell
            ? { shown: c, lo: 5, hi: max, schoolCell }
            : { shown: c, lo: 0, hi: max, schoolCell };
    vars.push(v);
    return v;
  };
  const term = shown.term.rows.map((r, i) => r.map((c, s) => ref(c, s < S && i < T)));
  const totals = shown.term.total!.map((c) => ref(c, false));
  const cat = shown.cat.rows.map((r) => r.map((c, s) => ref(c, s < S)));
  const lines: { parts: Var[]; sum: Var }[] = [];
  for (let s = 0; s < S; s += 1) {
    lines.push({ parts: term.map((r) => r[s]!), sum: totals[s]! });
    lines.push({ parts: cat.map((r) => r[s]!), sum: totals[s]! });
  }
  for (const r of [...term, ...cat]) lines.push({ parts: r.slice(0, S), sum: r[S]! });
  lines.push({ parts: totals.slice(0, S), sum: totals[S]! });
  const hidden = vars.filter((v) => v.lo !== v.hi);
  for (const v of vars) if (v.lo === v.hi) v.value = v.lo;
  const found = hidden.map(() => new Set<number>());
  const ok = () =>
    lines.every((l) => {
      let sum = 0;
      for (const p of l.parts) {
        if (p.value === undefined) return true;
        sum += p.value;
      }
      return l.sum.value === undefined || l.sum.value === sum;
    });
  const walk = (i: number): void => {
    if (i === hidden.length) {
      hidden.forEach((v, j) => found[j]!.add(v.value!));
      return;
    }
    const v = hidden[i]!;
    for (let x = v.lo; x <= v.hi; x += 1) {
      v.value = x;
      if (ok()) walk(i + 1);
    }
    v.value = undefined;
  };
  walk(0);
  void K;
  return hidden.map((v, j) => ({ v, values: found[j]! }));
}

describe('suppression across schools, two related tables beside the pack', () => {
  it('the reviewer’s case: terms 50 + 40, categories 30, 56, 4 — the 4 cannot be worked out', () => {
    const schools = [{ terms: [50, 40], categories: [30, 56, 4] }];
    const shown = publish(schools);
    expect(shown.term.total).toEqual([90, 90]);
    expect(shown.cat.rows.map((r) => r[0])).toEqual(['[c]', 56, '<5']);
    const smalls = possibleValues(schools, shown).filter((h) => h.v.shown === '<5');
    expect(smalls).toHaveLength(1);
    expect(smalls[0]!.values.size).toBeGreaterThan(1);
  });

  it('the pack itself: terms 5 and 1 hide the total, so the one category of 6 is hidden too', () => {
    const schools = [{ terms: [5, 1], categories: [6, 0] }];
    const shown = publish(schools);
    expect(shown.term.rows.map((r) => r[0])).toEqual(['[c]', '<5']);
    expect(shown.term.total![0]).toBe('[c]');
    expect(shown.cat.rows.map((r) => r[0])).toEqual(['[c]', 0]);
    const smalls = possibleValues(schools, shown).filter((h) => h.v.shown === '<5');
    expect(smalls[0]!.values.size).toBeGreaterThan(1);
  });

  it('hides every count from 1 to 4 and lets none be worked out, over many small trusts', () => {
    let tried = 0;
    for (let seed = 1; seed <= 1500; seed += 1) {
      const next = rng(seed);
      const count = () => {
        const x = next();
        return x < 0.25 ? 0 : x < 0.6 ? 1 + Math.floor(next() * 4) : 5 + Math.floor(next() * 4);
      };
      const schools: School[] = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
        const categories = [count(), count(), count()];
        const n = categories.reduce((a, b) => a + b, 0);
        const first = Math.floor(next() * (n + 1));
        return { categories, terms: [first, n - first] };
      });
      const shown = publish(schools);
      const all = [
        ...shown.term.rows.flat(),
        ...shown.term.total!,
        ...shown.cat.rows.flat(),
      ] as Cell[];
      for (const v of all) if (typeof v === 'number') expect(v === 0 || v >= 5).toBe(true);
      if (all.filter((v) => typeof v !== 'number').length > 6) continue;
      tried += 1;
      for (const h of possibleValues(schools, shown)) {
        if (h.v.shown === '<5' && h.v.schoolCell) {
          expect(
            h.values.size,
            `seed ${seed} ${JSON.stringify(schools)} ${JSON.stringify(shown)}`,
          ).toBeGreaterThan(1);
        }
      }
    }
    expect(tried).toBeGreaterThan(300);
  });

  it('a table that counts a record twice has no total row; one whose rows add up keeps it', () => {
    const byCategory = combineAcross([{ rows: [9, 6] }, { rows: [5, 0] }], false);
    expect(byCategory.total).toBeUndefined();
    expect(byCategory.rows).toEqual([
      [9, 5, 14],
      [6, 0, 6],
    ]);
    const byTerm = combineAcross(
      [
        { rows: [9, '<5', '[c]'], total: 20 },
        { rows: [5, 0, 6], total: 11 },
      ],
      true,
    );
    expect(byTerm.rows).toEqual([
      [9, 5, 14],
      ['<5', 0, '[c]'],
      ['[c]', 6, '[c]'],
    ]);
    expect(byTerm.total).toEqual([20, 11, 31]);
  });
});
