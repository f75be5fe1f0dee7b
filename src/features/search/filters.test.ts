// Every search filter, on every kind of hit, each test able to fail: one school with records of
// every kind that share a word but differ in pupil, category, author, status and date.
//   C1  concern about Ava, Bullying, by the teacher, 10 days ago, no case        → open
//   C2  concern about Ben, Neglect, by the DSL, 2 days ago, case closed           → closed
//   C3  concern about Ben, Bullying, by the DSL, 1 day ago, case marked NFA        → closed
//   A1  action about Ava, by the DSL, now, completed                              → closed
//   A2  action about Ben, by the deputy, now, open                                → open
//   V1  conversation about Ava, by the deputy, 20 days ago (conversations have no status)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let t: TestApp;
let w: Awaited<ReturnType<typeof world>>;
const DAY = 86_400_000;
const WORD = 'kestrel';
const ago = (days: number) => new Date(Date.now() - days * DAY - 60_000).toISOString();

async function post(s: Session, url: string, body: unknown): Promise<string> {
  const res = await call(t.app, s, 'POST', url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>().id;
}

async function world() {
  const schoolId = await makeSchool(t.services);
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tess Teacher');
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const deputyUser = await makeUser(t.services, schoolId, 'deputy_dsl', 'Dep Uty');
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Stone' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben', lastName: 'Marsh' });
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  const neglect = cats.find((c) => c.name === 'Neglect')!;
  const teacher = await signIn(t.app, teacherUser);
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const deputy = await signIn(t.app, deputyUser, { elevated: true });
  const concern = (s: Session, pupilId: string, categoryId: string, days: number) =>
    post(s, '/api/concerns', {
      pupils: [{ pupilId, role: 'subject' }],
      categoryIds: [categoryId],
      happenedAt: ago(days),
      body: `Seen near the ${WORD} nest box (${days} days ago).`,
    });
  const closure = {
    outcome: 'Resolved',
    rationale: 'Spoke with the family; no further concerns raised by staff since.',
  };
  const c1 = await concern(teacher, ava.id, bullying.id, 10);
  const c2 = await concern(dsl, ben.id, neglect.id, 2);
  const case2 = await post(dsl, '/api/cases', { pupilId: ben.id, concernId: c2 });
  await post(dsl, `/api/cases/${case2}/close`, closure);
  const c3 = await concern(dsl, ben.id, bullying.id, 1);
  const case3 = await post(dsl, '/api/cases', { pupilId: ben.id, concernId: c3 });
  await post(dsl, `/api/cases/${case3}/no-further-action`, closure);
  const a1 = await post(dsl, '/api/actions', {
    pupilId: ava.id,
    type: 'phone_call',
    text: `Call home about the ${WORD} nest box`,
    assigneeId: dslUser.id,
  });
  await post(dsl, `/api/actions/${a1}/complete`, { outcome: 'Spoke to mum' });
  const a2 = await post(deputy, '/api/actions', {
    pupilId: ben.id,
    type: 'meeting',
    text: `Meet Ben about the ${WORD} nest box`,
    assigneeId: deputyUser.id,
  });
  const v1 = await post(deputy, '/api/conversations', {
    pupilId: ava.id,
    withWhom: 'parent',
    happenedAt: ago(20),
    text: `Mum mentioned the ${WORD} nest box.`,
  });
  return {
    dsl,
    ids: { c1, c2, c3, a1, a2, v1 },
    teacherId: teacherUser.id,
    dslId: dslUser.id,
    deputyId: deputyUser.id,
    ava,
    ben,
    bullying,
    neglect,
    case3,
  };
}

beforeAll(async () => {
  t = await testApp();
  w = await world();
}, 120_000);
afterAll(async () => t.close());

type Hit = { id: string; kind: string; status: string };
async function found(query: string): Promise<string[]> {
  // The words and filters go in the body; written here as a query string for brevity.
  const body = Object.fromEntries(new URLSearchParams(query));
  const res = await call(t.app, w.dsl, 'POST', '/api/search', body);
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<{ items: Hit[] }>()
    .items.map((h) => h.id)
    .sort();
}
const these = (...keys: (keyof typeof w.ids)[]) => keys.map((k) => w.ids[k]).sort();

describe('search filters', () => {
  it('finds every kind by the word alone', async () => {
    expect(await found(`q=${WORD}`)).toEqual(these('c1', 'c2', 'c3', 'a1', 'a2', 'v1'));
  });

  it('pupil: concerns linked to the pupil, actions and conversations about them', async () => {
    expect(await found(`q=${WORD}&pupilId=${w.ava.id}`)).toEqual(these('c1', 'a1', 'v1'));
    expect(await found(`pupilId=${w.ben.id}`)).toEqual(these('c2', 'c3', 'a2'));
  });

  it('category: concerns in it only (actions and conversations have no category)', async () => {
    expect(await found(`q=${WORD}&categoryId=${w.bullying.id}`)).toEqual(these('c1', 'c3'));
    expect(await found(`categoryId=${w.neglect.id}`)).toEqual(these('c2'));
  });

  it("author: a concern's author, an action's creator, a conversation's author", async () => {
    expect(await found(`q=${WORD}&authorId=${w.teacherId}`)).toEqual(these('c1'));
    expect(await found(`q=${WORD}&authorId=${w.dslId}`)).toEqual(these('c2', 'c3', 'a1'));
    expect(await found(`authorId=${w.deputyId}`)).toEqual(these('a2', 'v1'));
  });

  it('status: concerns by their case, actions by completion; conversations left out', async () => {
    expect(await found(`q=${WORD}&status=closed`)).toEqual(these('c2', 'c3', 'a1'));
    expect(await found(`status=open`)).toEqual(these('c1', 'a2'));
    const res = await call(t.app, w.dsl, 'POST', '/api/search', { status: 'closed' });
    const statuses = res.json<{ items: Hit[] }>().items.map((h) => [h.kind, h.status]);
    expect(statuses).toEqual(
      expect.arrayContaining([
        ['concern', 'closed'],
        ['action', 'completed'],
      ]),
    );
  });

  it('status follows the case: reopening it makes its concern open again', async () => {
    const reopened = await call(t.app, w.dsl, 'POST', `/api/cases/${w.case3}/reopen`, {
      reason: 'A new report came in.',
    });
    expect(reopened.statusCode, reopened.body).toBe(200);
    try {
      expect(await found(`q=${WORD}&status=closed`)).toEqual(these('c2', 'a1'));
      const one = await call(t.app, w.dsl, 'GET', `/api/concerns/${w.ids.c3}`);
      expect(one.json<{ status: string }>().status).toBe('open');
    } finally {
      await post(w.dsl, `/api/cases/${w.case3}/no-further-action`, {
        outcome: 'Resolved',
        rationale: 'Spoke with the family; no further concerns raised by staff since.',
      });
    }
  });

  it("dates: a concern's or conversation's date, an action's creation", async () => {
    expect(await found(`q=${WORD}&from=${ago(5)}`)).toEqual(these('c2', 'c3', 'a1', 'a2'));
    expect(await found(`q=${WORD}&to=${ago(5)}`)).toEqual(these('c1', 'v1'));
    expect(await found(`from=${ago(15)}&to=${ago(5)}`)).toEqual(these('c1'));
    expect(await found(`q=${WORD}&to=${ago(15)}`)).toEqual(these('v1'));
  });

  it('refuses a date range that ends before it starts', async () => {
    const res = await call(t.app, w.dsl, 'POST', '/api/search', { from: ago(1), to: ago(5) });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/From/);
  });
});
