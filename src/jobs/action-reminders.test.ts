// Action reminders (the due-work job's third step): once an action's reminder time has come, the
// next run raises exactly one `action_reminder` alert, to the action's assignee and nobody else,
// and audits `action.reminded` once; later runs raise and audit nothing more for it. An action
// whose reminder time is still ahead is left alone until its time comes.
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
} from '../test/harness.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { runDueWork } from './due-work.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const alertsFor = (actionId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ recipient_id: string; kind: string }>(
      `SELECT recipient_id, kind FROM alerts WHERE target_type = 'action' AND target_id = $1`,
      [actionId],
    ),
  );
const remindedAudits = (schoolId: string, actionId: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_label: string }>(
      `SELECT actor_label FROM audit_events
       WHERE school_id = $1 AND action = 'action.reminded' AND target_id = $2`,
      [schoolId, actionId],
    ),
  );

describe('action reminders', () => {
  it('remind the assignee once when the time comes, and never again', async () => {
    const schoolId = await makeSchool(t.services);
    const assignee = await makeUser(t.services, schoolId, 'teacher', 'Asha Assignee');
    const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
    const pupil = await makePupil(t.services, schoolId);
    const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
    const dsl = await signIn(t.app, dslUser, { elevated: true });
    const logged = await call(t.app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'Came in upset.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;
    const now = Date.now();
    const add = async (text: string, remindAt: Date) => {
      const res = await call(t.app, dsl, 'POST', '/api/actions', {
        pupilId: pupil.id,
        concernId,
        type: 'phone_call',
        text,
        assigneeId: assignee.id,
        remindAt: remindAt.toISOString(),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const soon = await add('Ring home', new Date(now + 10 * 60_000));
    const later = await add('Check in next week', new Date(now + 7 * 24 * 3_600_000));

    // Before the reminder time: nothing.
    await runDueWork(t.services, new Date(now + 5 * 60_000));
    expect(await alertsFor(soon)).toEqual([]);
    expect(await remindedAudits(schoolId, soon)).toEqual([]);

    // The time has come: one alert, to the assignee only, and one audit entry by the job.
    await runDueWork(t.services, new Date(now + 11 * 60_000));
    expect(await alertsFor(soon)).toEqual([{ recipient_id: assignee.id, kind: 'action_reminder' }]);
    expect(await remindedAudits(schoolId, soon)).toHaveLength(1);
    expect(await alertsFor(later)).toEqual([]);

    // The next runs do not remind again.
    await runDueWork(t.services, new Date(now + 12 * 60_000));
    await runDueWork(t.services, new Date(now + 60 * 60_000));
    expect(await alertsFor(soon)).toHaveLength(1);
    expect(await remindedAudits(schoolId, soon)).toHaveLength(1);

    // The assignee sees it among their alerts.
    const session = await signIn(t.app, assignee, { elevated: true });
    const mine = await call(t.app, session, 'GET', '/api/alerts');
    expect(mine.statusCode, mine.body).toBe(200);
    const items = mine.json<{ items: { kind: string; targetId: string }[] }>().items;
    expect(items.filter((a) => a.targetId === soon)).toEqual([
      expect.objectContaining({ kind: 'action_reminder' }),
    ]);
    expect(items.filter((a) => a.targetId === later)).toEqual([]);
  });
});
