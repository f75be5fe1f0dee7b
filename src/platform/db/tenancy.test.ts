// The second wall on its own: queries issued as lantern_app for school A, with no tenant filter
// at all, must return none of school B's rows, on every tenant table, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';
import { inSchool, unsafeAsOwner } from './tenancy.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function populatedSchool() {
  const schoolId = await makeSchool(t.services);
  const teacher = await makeUser(t.services, schoolId, 'teacher');
  const pupil = await makePupil(t.services, schoolId);
  const [cat] = await categoryIds(t.services, schoolId);
  const session = await signIn(t.app, teacher);
  const res = await call(t.app, session, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date().toISOString(),
    body: 'second wall',
  });
  expect(res.statusCode).toBe(201);
  return schoolId;
}

describe('row-level security', () => {
  it('shows school A none of school B’s rows, on every tenant table, with no filter in the query', async () => {
    const a = await populatedSchool();
    const b = await populatedSchool();
    const tables = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'school_id' ORDER BY table_name`,
      ),
    );
    expect(tables.length).toBeGreaterThanOrEqual(10);
    for (const { table_name } of tables) {
      const seen = await inSchool(t.services.db, a, (tx) =>
        tx.query<{ school_id: string }>(`SELECT school_id FROM ${table_name}`),
      );
      expect(
        seen.filter((r) => r.school_id !== a),
        table_name,
      ).toEqual([]);
      // And B's rows really exist, so the test could fail.
      const [{ n } = { n: 0 }] = await unsafeAsOwner(t.services.db, (tx) =>
        tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table_name} WHERE school_id = $1`,
          [b],
        ),
      );
      if (
        ['users', 'pupils', 'categories', 'concerns', 'audit_events', 'school_keys'].includes(
          table_name,
        )
      ) {
        expect(n, table_name).toBeGreaterThan(0);
      }
    }
    const schools = await inSchool(t.services.db, a, (tx) =>
      tx.query<{ id: string }>('SELECT id FROM schools'),
    );
    expect(schools.map((s) => s.id)).toEqual([a]);
  });

  it('refuses to write a row for another school, and cannot switch itself off', async () => {
    const a = await makeSchool(t.services);
    const b = await makeSchool(t.services);
    await expect(
      inSchool(t.services.db, a, (tx) =>
        tx.query(`INSERT INTO pupils (school_id, first_name, last_name) VALUES ($1, 'X', 'Y')`, [
          b,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      inSchool(t.services.db, a, async (tx) => {
        await tx.query('SET LOCAL row_security = off');
        return tx.query('SELECT * FROM pupils');
      }),
    ).rejects.toThrow(/row-level security|row_security/);
    const [role] = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ rolbypassrls: boolean; rolsuper: boolean; owns: number }>(
        `SELECT r.rolbypassrls, r.rolsuper,
                (SELECT count(*)::int FROM pg_tables WHERE tableowner = r.rolname) AS owns
         FROM pg_roles r WHERE r.rolname = 'lantern_app'`,
      ),
    );
    expect(role).toEqual({ rolbypassrls: false, rolsuper: false, owns: 0 });
  });

  it('forces row-level security on every table that carries school_id', async () => {
    const rows = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
         JOIN information_schema.columns col ON col.table_name = c.relname AND col.column_name = 'school_id'
         WHERE c.relkind = 'r' AND col.table_schema = 'public'`,
      ),
    );
    for (const r of rows)
      expect(r, r.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
  });
});
