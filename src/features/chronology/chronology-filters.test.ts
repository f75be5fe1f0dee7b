// A pupil's chronology through the API: the category and date filters (each able to fail), and
// the PDF export's audit entry (who exported whose chronology, how many entries, nothing of the
// record's content in the log).
//   C1  concern, Bullying, 10 days ago        C2  concern, Neglect, 2 days ago
//   A1  action, created now                   V1  conversation, 20 days ago
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
  type Session,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof world>>;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY - 60_000).toISOString();

async function post(s: Session, url: string, body: unknown): Promise<string> {
  const res = await call(t.app, s, 'POST', url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>().id;
}

async function world() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Pembury' });
  const cats = await categoryIds(t.services, schoolId);
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  const neglect = cats.find((c) => c.name === 'Neglect')!;
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const concern = (categoryId: string, days: number, body: string) =>
    post(dsl, '/api/concerns', {
      pupils: [{ pupilId: ava.id, role: 'subject' }],
      categoryIds: [categoryId],
      happenedAt: ago(days),
      body,
    });
  const c1 = await concern(bullying.id, 10, 'Name-calling in the lunch queue.');
  const c2 = await concern(neglect.id, 2, 'Came in without a coat again.');
  const a1 = await post(dsl, '/api/actions', {
    pupilId: ava.id,
    type: 'phone_call',
    text: 'Ring home about the coat',
    assigneeId: dslUser.id,
  });
  const v1 = await post(dsl, '/api/conversations', {
    pupilId: ava.id,
    withWhom: 'parent',
    happenedAt: ago(20),
    text: 'Dad said money is tight this month.',
  });
  return { schoolId, dsl, dslUser, ava, bullying, neglect, ids: { c1, c2, a1, v1 } };
}

beforeAll(async () => {
  t = await testApp();
  w = await world();
}, 120_000);
afterAll(async () => t.close());

async function entries(query: string): Promise<string[]> {
  const res = await call(t.app, w.dsl, 'GET', `/api/pupils/${w.ava.id}/chronology?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res
    .json<{ entries: { id: string }[] }>()
    .entries.map((e) => e.id)
    .sort();
}
const these = (...keys: (keyof typeof w.ids)[]) => keys.map((k) => w.ids[k]).sort();

describe('chronology filters', () => {
  it('shows every kind with no filter', async () => {
    expect(await entries('')).toEqual(these('c1', 'c2', 'a1', 'v1'));
  });

  it('category: only concerns in that category', async () => {
    expect(await entries(`categoryId=${w.bullying.id}`)).toEqual(these('c1'));
    expect(await entries(`categoryId=${w.neglect.id}`)).toEqual(these('c2'));
  });

  it('dates: from, to, and both, over every kind', async () => {
    expect(await entries(`from=${ago(5)}`)).toEqual(these('c2', 'a1'));
    expect(await entries(`to=${ago(5)}`)).toEqual(these('c1', 'v1'));
    expect(await entries(`from=${ago(15)}&to=${ago(5)}`)).toEqual(these('c1'));
    expect(await entries(`categoryId=${w.neglect.id}&to=${ago(5)}`)).toEqual([]);
  });

  it('kinds: only those kinds; a category leaves every other kind out', async () => {
    expect(await entries('kinds=concern')).toEqual(these('c1', 'c2'));
    expect(await entries('kinds=action&kinds=conversation')).toEqual(these('a1', 'v1'));
    expect(await entries(`kinds=action&categoryId=${w.bullying.id}`)).toEqual([]);
  });

  it('the total counts exactly what each filter lets through (in SQL, as the page is read)', async () => {
    for (const query of [
      '',
      `categoryId=${w.bullying.id}`,
      `from=${ago(15)}&to=${ago(5)}`,
      `to=${ago(5)}`,
      'kinds=action&kinds=conversation',
      `categoryId=${w.neglect.id}&to=${ago(5)}`,
    ]) {
      const res = await call(t.app, w.dsl, 'GET', `/api/pupils/${w.ava.id}/chronology?${query}`);
      const page = res.json<{ entries: unknown[]; total: number; nextCursor?: string }>();
      expect(page.total, query).toBe(page.entries.length);
      expect(page.nextCursor, query).toBeUndefined();
    }
  });
});

describe('chronology export audit', () => {
  it('records chronology.exported with the exporter, the pupil and no record content', async () => {
    const pdf = await call(
      t.app,
      w.dsl,
      'GET',
      `/api/pupils/${w.ava.id}/chronology.pdf?categoryId=${w.bullying.id}`,
    );
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const events = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ actor_id: string; target_type: string; target_id: string; details: unknown }>(
        `SELECT actor_id, target_type, target_id, details FROM audit_events
         WHERE school_id = $1 AND action = 'chronology.exported'`,
        [w.schoolId],
      ),
    );
    expect(events).toEqual([
      {
        actor_id: w.dslUser.id,
        target_type: 'pupil',
        target_id: w.ava.id,
        details: expect.objectContaining({ format: 'pdf', entries: 1 }) as unknown,
      },
    ]);
    const logged = JSON.stringify(events);
    for (const secret of ['Pembury', 'Ava', 'Name-calling', 'lunch queue', 'Bullying']) {
      expect(logged).not.toContain(secret);
    }
  });

  it('writes no export entry when the export is refused', async () => {
    const teacher = await makeUser(t.services, w.schoolId, 'teacher');
    const s = await signIn(t.app, teacher, { elevated: true });
    const res = await call(t.app, s, 'GET', `/api/pupils/${w.ava.id}/chronology.pdf`);
    expect(res.statusCode).toBe(403);
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events
         WHERE school_id = $1 AND action = 'chronology.exported' AND actor_id = $2`,
        [w.schoolId, teacher.id],
      ),
    );
    expect(n!.n).toBe(0);
  });
});
