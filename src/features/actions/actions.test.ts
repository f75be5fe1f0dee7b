// Actions and the two tiers (issue 3): with a password alone a member learns only how many actions
// wait for them (the dashboard's count), never a pupil's name or the action's text, and cannot
// complete one; after a second factor they see their own, each with `allowed` from the action
// policy, and the chronology's entries carry theirs too.
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

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type ActionJson = { id: string; text: string; allowed: string[]; completedAt: string | null };
type DashboardJson = { actions: ActionJson[]; actionsWaiting: number };
const errorCode = (res: { json: <T>() => T }) => res.json<{ error: { code: string } }>().error.code;

async function setUp() {
  const schoolId = await makeSchool(t.services);
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tess Teacher');
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Stone' });
  const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const logged = await call(t.app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: 'Ava arrived without a coat again.',
  });
  expect(logged.statusCode, logged.body).toBe(201);
  const concernId = logged.json<{ id: string }>().id;
  const add = async (assigneeId: string, text: string) => {
    const res = await call(t.app, dsl, 'POST', '/api/actions', {
      pupilId: pupil.id,
      concernId,
      type: 'phone_call',
      text,
      assigneeId,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ActionJson>();
  };
  const first = await add(teacherUser.id, 'Ring the family about the missing coat');
  const second = await add(teacherUser.id, 'Ask the form tutor what Ava said');
  const dslOwn = await add(dslUser.id, 'Check the uniform bank');
  return { teacherUser, dsl, pupil, concernId, first, second, dslOwn };
}

describe('actions and the first tier', () => {
  it('with a password alone shows only how many actions wait, and refuses to list or complete them', async () => {
    const s = await setUp();
    // A fresh teacher signs in with a password alone (never elevated in this session).
    const firstTier = await signIn(t.app, s.teacherUser);

    const dashboard = await call(t.app, firstTier, 'GET', '/api/dashboard');
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    const d = dashboard.json<DashboardJson>();
    expect(d.actions).toEqual([]);
    expect(d.actionsWaiting).toBe(2);
    for (const hidden of ['Ava', 'Stone', 'coat', 'form tutor', s.pupil.id, s.first.id]) {
      expect(dashboard.body).not.toContain(hidden);
    }

    const list = await call(t.app, firstTier, 'GET', '/api/actions?mine=true');
    expect([list.statusCode, errorCode(list)]).toEqual([403, 'step_up_required']);
    expect(list.body).not.toContain('coat');

    const complete = await call(t.app, firstTier, 'POST', `/api/actions/${s.first.id}/complete`, {
      outcome: 'Spoke to dad.',
    });
    expect([complete.statusCode, errorCode(complete)]).toEqual([403, 'step_up_required']);
    // Nothing changed: the DSL still sees it open, completable.
    const seen = await call(t.app, s.dsl, 'GET', `/api/actions?pupilId=${s.pupil.id}`);
    const still = seen.json<{ items: ActionJson[] }>().items.find((a) => a.id === s.first.id)!;
    expect(still.completedAt).toBeNull();
    expect(still.allowed).toEqual(['complete']);
  });

  it('after a second factor lists my actions with what I may do, and completes one', async () => {
    const s = await setUp();
    const teacher = await signIn(t.app, s.teacherUser, { elevated: true });

    const d = (await call(t.app, teacher, 'GET', '/api/dashboard')).json<DashboardJson>();
    expect(d.actionsWaiting).toBe(2);
    expect(d.actions.map((a) => a.id).sort()).toEqual([s.first.id, s.second.id].sort());
    expect(d.actions.every((a) => a.allowed.join() === 'complete')).toBe(true);

    // Only their own: the DSL's action is not listed, and cannot be completed by them.
    const mine = await call(t.app, teacher, 'GET', '/api/actions');
    expect(mine.json<{ items: ActionJson[] }>().items.map((a) => a.id)).not.toContain(s.dslOwn.id);
    const notTheirs = await call(t.app, teacher, 'POST', `/api/actions/${s.dslOwn.id}/complete`, {
      outcome: 'Done.',
    });
    expect(notTheirs.statusCode, notTheirs.body).toBe(404);

    const done = await call(t.app, teacher, 'POST', `/api/actions/${s.first.id}/complete`, {
      outcome: 'Spoke to dad; a coat from the uniform bank.',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json<ActionJson>().allowed).toEqual([]);
    const again = await call(t.app, teacher, 'POST', `/api/actions/${s.first.id}/complete`, {
      outcome: 'Twice.',
    });
    expect(again.statusCode, again.body).toBe(400);

    const after = (await call(t.app, teacher, 'GET', '/api/dashboard')).json<DashboardJson>();
    expect(after.actionsWaiting).toBe(1);
    expect(after.actions.map((a) => a.id)).toEqual([s.second.id]);
  });

  it("sends the chronology's entries with what the viewer may do", async () => {
    const s = await setUp();
    await call(t.app, s.dsl, 'POST', `/api/actions/${s.dslOwn.id}/complete`, { outcome: 'Done.' });
    const res = await call(t.app, s.dsl, 'GET', `/api/pupils/${s.pupil.id}/chronology`);
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json<{ entries: { id: string; kind: string; allowed: string[] }[] }>()
      .entries;
    const byId = (id: string) => entries.find((e) => e.id === id)!;
    expect(byId(s.concernId).allowed).toEqual(['open']);
    // The DSL team completes anyone's open action; a completed one offers nothing.
    expect(byId(s.first.id).allowed).toEqual(['complete']);
    expect(byId(s.dslOwn.id).allowed).toEqual([]);
  });
});
