// Another school's record cannot be detected through a case (issue 11). Opening a case from a
// concern id looks the concern up through the tenant context first, so an unknown id and another
// school's real one get the same answer and nothing is written; and the database itself refuses a
// row pointing at another school's concern, pupil or member of staff (foreign keys over school and
// id, migrations 0009 and 0014).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
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

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'silent' } });
});
afterAll(async () => t.close());

async function schoolWithConcern() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl');
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const pupil = await makePupil(t.services, schoolId);
  const [cat] = await categoryIds(t.services, schoolId);
  const res = await call(t.app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body: 'existence',
  });
  expect(res.statusCode, res.body).toBe(201);
  return { schoolId, dslUser, dsl, pupil, concernId: res.json<{ id: string }>().id };
}

const footprint = (schoolIds: string[]) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `SELECT (SELECT count(*)::int FROM cases WHERE school_id = ANY($1)) AS cases,
              (SELECT count(*)::int FROM case_events WHERE school_id = ANY($1)) AS events,
              (SELECT count(*)::int FROM audit_events WHERE school_id = ANY($1)) AS audit,
              (SELECT count(*)::int FROM concerns WHERE school_id = ANY($1) AND case_id IS NOT NULL)
                AS joined`,
      [schoolIds],
    ),
  );

describe('opening a case from a concern id', () => {
  it('answers an unknown id and another school’s real id alike, and writes nothing', async () => {
    const a = await schoolWithConcern();
    const b = await schoolWithConcern();
    const before = await footprint([a.schoolId, b.schoolId]);
    const open = (concernId: string) =>
      call(t.app, a.dsl, 'POST', '/api/cases', { pupilId: a.pupil.id, concernId });
    const unknown = await open(randomUUID());
    const foreign = await open(b.concernId);
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(foreign.statusCode).toBe(unknown.statusCode);
    expect(foreign.body).toBe(unknown.body);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/concern/);
    expect(await footprint([a.schoolId, b.schoolId])).toEqual(before);
    // A case for school A's own concern still opens.
    expect((await open(a.concernId)).statusCode).toBe(201);
  });

  it('is refused by the database too: no row points at another school’s row', async () => {
    const a = await schoolWithConcern();
    const b = await schoolWithConcern();
    const opened = await call(t.app, a.dsl, 'POST', '/api/cases', { pupilId: a.pupil.id });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = opened.json<{ id: string }>().id;
    const crossing = [
      // a case event of school A naming school B's concern
      [
        `INSERT INTO case_events (school_id, case_id, kind, at, by_id, concern_id)
         VALUES ($1, $2, 'joined', now(), $3, $4)`,
        [a.schoolId, caseId, a.dslUser.id, b.concernId],
      ],
      // school B's concern joined to school A's case
      ['UPDATE concerns SET case_id = $1 WHERE id = $2', [caseId, b.concernId]],
      // a case of school A for school B's pupil
      [
        `INSERT INTO cases (school_id, pupil_id, owner_id, opened_at) VALUES ($1, $2, $3, now())`,
        [a.schoolId, b.pupil.id, a.dslUser.id],
      ],
      // keys to users too (migration 0014): a case of school A owned by school B's DSL…
      [
        `INSERT INTO cases (school_id, pupil_id, owner_id, opened_at) VALUES ($1, $2, $3, now())`,
        [a.schoolId, a.pupil.id, b.dslUser.id],
      ],
      // …school A's case handed to school B's DSL…
      ['UPDATE cases SET owner_id = $1 WHERE id = $2', [b.dslUser.id, caseId]],
      // …and school B's DSL put in one of school A's staff groups.
      [
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'dsl'`,
        [a.schoolId, b.dslUser.id],
      ],
    ] as const;
    for (const [sql, params] of crossing) {
      await expect(
        unsafeAsOwner(t.services.db, (q) => q.query(sql, [...params])),
        sql,
      ).rejects.toMatchObject({ code: '23503' });
    }
  });
});
