// restrictedTouchSql (record-filter.ts) and canViewTouching (permissions.ts) are one rule written
// twice: what case work on a restricted matter a member may see. This drives both over the same
// concerns, cases and items, for every kind of grant — none, the DSL team's (answered without SQL),
// an explicit "none" for one restricted category, a year-group scope, an own-groups scope, an
// explicit restricted entry, two grants with different scopes, non-restricted only — and expects
// the same answer for every item. The SQL runs on the real engine (both, in CI).
//   R1, R2 restricted categories, N not;  P7 a Year 7 pupil (7A), P8 a Year 8 pupil (8B)
//   cR1 (R1, P7)  cR2 (R2, P8)  cN (N, P7)  cBoth (R1 + R2, P7 + P8)
//   K1 holds cN and cR1; K2 holds nothing now, but its history names cR2; K3 is empty
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { categoryIds, makePupil, makeSchool, makeUser, testApp } from '../../test/harness.ts';
import type { TestApp } from '../../test/harness.ts';
import {
  canViewTouching,
  resolvePermissions,
  type CategorisedRecord,
  type GroupGrant,
  type Permissions,
} from './permissions.ts';
import { restrictedTouchSql } from './record-filter.ts';

let t: TestApp;
let f: Awaited<ReturnType<typeof fixture>>;

async function fixture() {
  const schoolId = await makeSchool(t.services);
  const author = await makeUser(t.services, schoolId, 'dsl');
  const cats = await categoryIds(t.services, schoolId);
  const [r1, r2] = cats.filter((c) => c.restricted);
  const n = cats.find((c) => !c.restricted)!;
  const p7 = await makePupil(t.services, schoolId, { yearGroup: 'Year 7', form: '7A' });
  const p8 = await makePupil(t.services, schoolId, { yearGroup: 'Year 8', form: '8B' });
  const pupils = {
    [p7.id]: { yearGroup: 'Year 7', groupIds: ['form:7A'] },
    [p8.id]: { yearGroup: 'Year 8', groupIds: ['form:8B'] },
  };
  const ids = { k1: randomUUID(), k2: randomUUID(), k3: randomUUID() };
  const concerns: Record<string, { id: string; cats: typeof cats; pupils: string[] }> = {
    cR1: { id: randomUUID(), cats: [r1!], pupils: [p7.id] },
    cR2: { id: randomUUID(), cats: [r2!], pupils: [p8.id] },
    cN: { id: randomUUID(), cats: [n], pupils: [p7.id] },
    cBoth: { id: randomUUID(), cats: [r1!, r2!], pupils: [p7.id, p8.id] },
  };
  await unsafeAsOwner(t.services.db, async (q) => {
    for (const k of Object.values(ids)) {
      await q.query(
        `INSERT INTO cases (id, school_id, pupil_id, owner_id, opened_at) VALUES ($1, $2, $3, $4, now())`,
        [k, schoolId, p7.id, author.id],
      );
    }
    for (const c of Object.values(concerns)) {
      await q.query(
        `INSERT INTO concerns (id, school_id, author_id, happened_at, body) VALUES ($1, $2, $3, now(), '\\x00')`,
        [c.id, schoolId, author.id],
      );
      for (const k of c.cats)
        await q.query(
          'INSERT INTO concern_categories (school_id, concern_id, category_id) VALUES ($1, $2, $3)',
          [schoolId, c.id, k.id],
        );
      for (const p of c.pupils)
        await q.query(
          'INSERT INTO concern_pupils (school_id, concern_id, pupil_id) VALUES ($1, $2, $3)',
          [schoolId, c.id, p],
        );
    }
    await q.query('UPDATE concerns SET case_id = $2 WHERE id = ANY($1::uuid[])', [
      [concerns.cN!.id, concerns.cR1!.id],
      ids.k1,
    ]);
    await q.query(
      `INSERT INTO case_events (school_id, case_id, kind, at, by_id, concern_id)
       VALUES ($1, $2, 'joined', now(), $3, $4)`,
      [schoolId, ids.k2, author.id, concerns.cR2!.id],
    );
  });
  const record = (key: string): CategorisedRecord => ({
    categories: concerns[key]!.cats.map((k) => ({ id: k.id, restricted: k.restricted })),
    pupils: concerns[key]!.pupils.map((p) => pupils[p]!),
  });
  const inCase: Record<string, string[]> = { [ids.k1]: ['cN', 'cR1'], [ids.k2]: ['cR2'] };
  /** Items of case work: a concern, a case, both or neither. */
  const items: { concern: string | null; case: string | null }[] = [
    { concern: null, case: null },
    ...Object.keys(concerns).map((c) => ({ concern: c, case: null })),
    ...Object.values(ids).map((k) => ({ concern: null, case: k })),
    { concern: 'cN', case: ids.k2 },
    { concern: 'cR1', case: ids.k3 },
  ];
  return { r1: r1!, r2: r2!, n, ids, concerns, items, record, inCase };
}

beforeAll(async () => {
  t = await testApp();
  f = await fixture();
}, 120_000);
afterAll(async () => t.close());

const grant = (g: Partial<GroupGrant>): GroupGrant => ({
  groupId: randomUUID(),
  nonRestrictedDefault: 'none',
  restrictedDefault: 'none',
  categories: {},
  scope: { kind: 'school' },
  capabilities: ['manage_cases'],
  ...g,
});

/** Which items the SQL lets through, by index. */
async function sqlAnswer(perms: Permissions): Promise<number[]> {
  const rows = f.items.map(
    (it, i) =>
      `(${i}, ${it.concern ? `'${f.concerns[it.concern]!.id}'` : 'NULL'}::uuid, ${it.case ? `'${it.case}'` : 'NULL'}::uuid)`,
  );
  const touch = restrictedTouchSql({ permissions: perms }, 1, {
    concern: 'x.concern_id',
    case: 'x.case_id',
  });
  const found = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ i: number }>(
      `SELECT x.i FROM (VALUES ${rows.join(', ')}) x (i, concern_id, case_id) WHERE ${touch.sql}`,
      touch.params,
    ),
  );
  return found.map((r) => Number(r.i)).sort((a, b) => a - b);
}

/** Which items the in-memory rule lets through, by index. */
function memoryAnswer(perms: Permissions): number[] {
  return f.items.flatMap((it, i) => {
    const touched = [
      ...(it.concern ? [it.concern] : []),
      ...(it.case ? (f.inCase[it.case] ?? []) : []),
    ].map(f.record);
    return canViewTouching(perms, touched) ? [i] : [];
  });
}

describe('restrictedTouchSql and canViewTouching', () => {
  const cases: [string, () => Permissions][] = [
    ['no grant at all', () => resolvePermissions([])],
    [
      "the DSL team's: every restricted category, school-wide",
      () =>
        resolvePermissions([grant({ nonRestrictedDefault: 'view', restrictedDefault: 'view' })]),
    ],
    [
      'every restricted category but one, closed by an explicit none',
      () =>
        resolvePermissions([
          grant({ restrictedDefault: 'view', categories: { [f.r2.id]: 'none' } }),
        ]),
    ],
    [
      'restricted categories for Year 7 only',
      () =>
        resolvePermissions([
          grant({
            restrictedDefault: 'view',
            scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
          }),
        ]),
    ],
    [
      'restricted categories for their own groups (8B)',
      () =>
        resolvePermissions([grant({ restrictedDefault: 'view', scope: { kind: 'own_groups' } })], {
          ownGroupIds: ['form:8B'],
        }),
    ],
    [
      'one restricted category by an explicit entry',
      () =>
        resolvePermissions([
          grant({ nonRestrictedDefault: 'view', categories: { [f.r1.id]: 'view' } }),
        ]),
    ],
    [
      'R1 for Year 7 in one group and R2 for Year 8 in another',
      () =>
        resolvePermissions([
          grant({
            categories: { [f.r1.id]: 'view' },
            scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
          }),
          grant({
            categories: { [f.r2.id]: 'view' },
            scope: { kind: 'year_groups', yearGroups: ['Year 8'] },
          }),
        ]),
    ],
    [
      'add (not view) on restricted categories',
      () => resolvePermissions([grant({ nonRestrictedDefault: 'view', restrictedDefault: 'add' })]),
    ],
  ];
  for (const [name, perms] of cases) {
    it(`agree for ${name}`, async () => {
      const p = perms();
      expect(await sqlAnswer(p)).toEqual(memoryAnswer(p));
    });
  }

  it('withhold what they should: the expected items for a few grants', async () => {
    const item = (concern: string | null, kase: string | null) =>
      f.items.findIndex((i) => i.concern === concern && i.case === kase);
    const { k1, k3 } = f.ids;
    const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
    // No grant: only what touches no restricted category (K2 does, through its history).
    const plain = sorted([item(null, null), item('cN', null), item(null, k3)]);
    expect(await sqlAnswer(resolvePermissions([]))).toEqual(plain);
    // Granted R1 only: what touches R2 — cR2, cBoth and case K2 — is withheld.
    const r1Only = resolvePermissions([grant({ categories: { [f.r1.id]: 'view' } })]);
    expect(await sqlAnswer(r1Only)).toEqual(
      sorted([...plain, item('cR1', null), item(null, k1), item('cR1', k3)]),
    );
  });

  it('refuses a column reference that is not alias.column', () => {
    const perms = resolvePermissions([]);
    expect(() => restrictedTouchSql({ permissions: perms }, 1, {})).toThrow();
    expect(() =>
      restrictedTouchSql({ permissions: perms }, 1, { concern: 'x.id; DROP TABLE x' }),
    ).toThrow();
  });
});
