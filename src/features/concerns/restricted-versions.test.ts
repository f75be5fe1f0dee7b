// Earlier versions keep the access they were filed under (issue 11, finding 5). A teacher logs a
// concern in "Prevent" — restricted — and then re-files it under "Bullying", which Year 7's head of
// year may read. The head of year may now read the concern as it is, but not the earlier version
// filed under Prevent: it is left out of the versions they are sent, its text never opened, and
// the audit entry names only the versions shown. The DSL (granted Prevent) and the author read
// every version. On the code before this change the earlier version followed the current
// record's access, so the head of year read the Prevent text: the first test fails there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { joinGroupsByKey } from '../../core/access/seed-groups.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

const PREVENT_TEXT = 'Said a cousin shares extremist videos';
const BULLYING_TEXT = 'Pushed in the lunch queue';

let t: TestApp;
let s: Awaited<ReturnType<typeof story>>;

async function story() {
  const schoolId = await makeSchool(t.services);
  const authorUser = await makeUser(t.services, schoolId, 'teacher', 'Arlo Author');
  const hoyUser = await makeUser(t.services, schoolId, 'head_of_year', 'Hana Year');
  await unsafeAsOwner(t.services.db, (q) =>
    joinGroupsByKey(q, schoolId, hoyUser.id, ['head_of_year_7']),
  );
  const dslUser = await makeUser(t.services, schoolId, 'dsl');
  const ava = await makePupil(t.services, schoolId, { yearGroup: 'Year 7', form: '7A' });
  const cats = await categoryIds(t.services, schoolId);
  const prevent = cats.find((c) => c.name.startsWith('Prevent'))!;
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  expect([prevent.restricted, bullying.restricted]).toEqual([true, false]);
  const author = await signIn(t.app, authorUser, { elevated: true });
  const logged = await call(t.app, author, 'POST', '/api/concerns', {
    pupils: [{ pupilId: ava.id, role: 'subject' }],
    categoryIds: [prevent.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: PREVENT_TEXT,
  });
  expect(logged.statusCode, logged.body).toBe(201);
  const id = logged.json<{ id: string }>().id;
  const refiled = await call(t.app, author, 'PATCH', `/api/concerns/${id}`, {
    categoryIds: [bullying.id],
    body: BULLYING_TEXT,
    reason: 'Not a Prevent matter after all',
  });
  expect(refiled.statusCode, refiled.body).toBeLessThan(300);
  return {
    schoolId,
    id,
    author,
    hoyUser,
    hoy: await signIn(t.app, hoyUser, { elevated: true }),
    dsl: await signIn(t.app, dslUser, { elevated: true }),
    prevent,
    bullying,
  };
}

beforeAll(async () => {
  t = await testApp();
  s = await story();
}, 120_000);
afterAll(async () => t.close());

type Version = { version: number; body: string; categoryIds: string[] };
async function versions(who: Session) {
  const res = await call(t.app, who, 'GET', `/api/concerns/${s.id}/versions`);
  expect(res.statusCode, res.body).toBe(200);
  return { body: res.body, list: res.json<{ items: Version[] }>().items };
}

describe('an earlier version filed under a restricted category', () => {
  it('is withheld from a reader of the category the concern was re-filed into', async () => {
    const now = await call(t.app, s.hoy, 'GET', `/api/concerns/${s.id}`);
    expect(now.statusCode, now.body).toBe(200); // they may read the concern as it is now
    expect(now.json<{ body: string }>().body).toBe(BULLYING_TEXT);
    const seen = await versions(s.hoy);
    expect(seen.list).toEqual([]);
    expect(seen.body).not.toContain(PREVENT_TEXT);
    expect(seen.body).not.toContain(s.prevent.id);
  });

  it('is read by the DSL, granted the category, and by its author', async () => {
    for (const who of [s.dsl, s.author]) {
      const seen = await versions(who);
      expect(seen.list.map((v) => [v.version, v.body, v.categoryIds])).toEqual([
        [1, PREVENT_TEXT, [s.prevent.id]],
      ]);
    }
  });

  it('stays withheld after later corrections, while the later versions are shown', async () => {
    const again = await call(t.app, s.author, 'PATCH', `/api/concerns/${s.id}`, {
      body: `${BULLYING_TEXT}, by the gate`,
      reason: 'Where it happened',
    });
    expect(again.statusCode, again.body).toBeLessThan(300);
    const seen = await versions(s.hoy);
    expect(seen.list.map((v) => [v.version, v.body])).toEqual([[2, BULLYING_TEXT]]);
    expect(seen.body).not.toContain(PREVENT_TEXT);
    expect((await versions(s.dsl)).list.map((v) => v.version)).toEqual([1, 2]);
    // The audit entry names the versions shown to the head of year: the second alone.
    const [entry] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: { versions: number[] } }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND actor_id = $2
           AND action = 'concern.versions_viewed' ORDER BY seq DESC LIMIT 1`,
        [s.schoolId, s.hoyUser.id],
      ),
    );
    expect(entry?.details).toEqual({ versions: [2] });
  });
});
