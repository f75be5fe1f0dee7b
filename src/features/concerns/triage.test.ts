// Issue 14: a concern's triage state, set by the DSL team (triaged with a risk level and a
// reason, or no further action), audited in the same transaction, its reason sealed, shown to the
// team only; and alerts that say whom they are about to a viewer who may read the concern.
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
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { ConcernView } from '../../shared/schemas/concerns.ts';
import type { AlertList } from '../../shared/schemas/alerts.ts';
import type { Dashboard } from '../../shared/schemas/dashboard.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const teacher = await makeUser(t.services, schoolId, 'teacher', 'Tom Teacher');
  const dsl = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Stone' });
  const [cat] = await categoryIds(t.services, schoolId);
  const author = await signIn(t.app, teacher);
  const created = await call(t.app, author, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: 'Came in with a bruise on her arm.',
    alertUserIds: [dsl.id],
  });
  expect(created.statusCode, created.body).toBe(201);
  return {
    schoolId,
    teacher,
    dsl,
    pupil,
    category: cat!,
    author,
    concernId: created.json<ConcernView>().id,
  };
}

const triage = (id: string) => `/api/concerns/${id}/triage`;

describe('triaging a concern', () => {
  it('starts new; the DSL records a risk level and reason, sealed, audited, and shown to the team only', async () => {
    const s = await school();
    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    const before = (
      await call(t.app, dsl, 'GET', `/api/concerns/${s.concernId}`)
    ).json<ConcernView>();
    expect(before.allowed).toContain('triage');
    expect(before.triage).toMatchObject({ state: 'new', risk: null, decidedBy: null });
    expect(before.myAlerts).toHaveLength(1);

    const res = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'triaged',
      risk: 'high',
      reason: 'Second bruise this term; spoke to mother.',
    });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json<ConcernView>();
    expect(view.triage).toMatchObject({
      state: 'triaged',
      risk: 'high',
      reason: 'Second bruise this term; spoke to mother.',
      decidedBy: { id: s.dsl.id, name: 'Dee Lead' },
    });

    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ reason: Buffer; state: string }>(
        'SELECT reason, state FROM concern_triage WHERE concern_id = $1',
        [s.concernId],
      ),
    );
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0]!.reason).toString('latin1')).not.toContain('bruise');
    const audit = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: unknown }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'concern.triaged'`,
        [s.schoolId],
      ),
    );
    expect(audit.map((a) => a.details)).toEqual([{ state: 'triaged', risk: 'high' }]);

    // The author reads their concern but not the team's decision, and may not make one.
    const mine = (
      await call(t.app, s.author, 'GET', `/api/concerns/${s.concernId}`)
    ).json<ConcernView>();
    expect(mine.triage).toBeNull();
    expect(mine.allowed).not.toContain('triage');
    const teacherTries = await call(t.app, s.author, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      reason: 'x',
    });
    expect(teacherTries.statusCode).toBe(403);

    // A later decision replaces it; the history is kept.
    const nfa = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      reason: 'Explained: a fall at football, seen by the coach.',
    });
    expect(nfa.json<ConcernView>().triage).toMatchObject({
      state: 'no_further_action',
      risk: null,
    });
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM concern_triage WHERE concern_id = $1', [s.concernId]),
    );
    expect(rows).toHaveLength(2);

    // The chronology shows the state to the team.
    const chron = await call(t.app, dsl, 'GET', `/api/pupils/${s.pupil.id}/chronology`);
    expect(chron.statusCode, chron.body).toBe(200);
    const entry = chron
      .json<{ entries: { id: string; triage?: string }[] }>()
      .entries.find((e) => e.id === s.concernId);
    expect(entry?.triage).toBe('No further action');
  });

  it('refuses a decision that lacks its risk level or reason, naming the field, and writes nothing', async () => {
    const s = await school();
    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    const noRisk = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'triaged',
      reason: 'Looks serious.',
    });
    expect(noRisk.statusCode).toBe(400);
    expect(noRisk.json<{ error: { message: string } }>().error.message).toMatch(
      /Choose a risk level.*field "risk"/,
    );
    const blank = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      reason: '   ',
    });
    expect(blank.statusCode).toBe(400);
    expect(blank.json<{ error: { message: string } }>().error.message).toMatch(/field "reason"/);
    const riskOnNfa = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      risk: 'low',
      reason: 'Nothing to do.',
    });
    expect(riskOnNfa.statusCode).toBe(400);
    const badState = await call(t.app, dsl, 'POST', triage(s.concernId), {
      state: 'urgent',
      reason: 'x',
    });
    expect(badState.statusCode).toBe(400);
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM concern_triage WHERE concern_id = $1', [s.concernId]),
    );
    expect(rows).toHaveLength(0);
  });

  it('asks the DSL for a second factor, and hides another school’s concern', async () => {
    const s = await school();
    const passwordOnly = await signIn(t.app, s.dsl);
    const res = await call(t.app, passwordOnly, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      reason: 'x',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('step_up_required');
    const other = await school();
    const otherDsl = await signIn(t.app, other.dsl, { elevated: true });
    const across = await call(t.app, otherDsl, 'POST', triage(s.concernId), {
      state: 'no_further_action',
      reason: 'x',
    });
    expect(across.statusCode).toBe(404);
  });
});

describe('alerts a DSL can triage', () => {
  it('say whom the concern is about, its category, who logged it and its triage state', async () => {
    const s = await school();
    // With a password alone, nothing of the concern is said: only that something waits.
    const passwordOnly = await signIn(t.app, s.dsl);
    const bare = (await call(t.app, passwordOnly, 'GET', '/api/alerts')).json<AlertList>();
    expect(bare.items[0]!.about).toBeNull();

    const dsl = await signIn(t.app, s.dsl, { elevated: true });
    const list = (await call(t.app, dsl, 'GET', '/api/alerts')).json<AlertList>();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.about).toMatchObject({
      pupils: [{ id: s.pupil.id, name: 'Ava Stone' }],
      categories: [s.category.name],
      author: 'Tom Teacher',
      triage: 'New: not yet triaged',
    });
    const dash = (await call(t.app, dsl, 'GET', '/api/dashboard')).json<Dashboard>();
    expect(dash.alerts[0]!.about?.pupils[0]?.name).toBe('Ava Stone');
    expect(dash.recent.find((c) => c.id === s.concernId)?.triage?.state).toBe('new');

    // Acknowledged where the concern is read: it leaves the concern's own list of my alerts.
    const ack = await call(t.app, dsl, 'POST', `/api/alerts/${list.items[0]!.id}/acknowledge`);
    expect(ack.statusCode).toBe(200);
    const after = (
      await call(t.app, dsl, 'GET', `/api/concerns/${s.concernId}`)
    ).json<ConcernView>();
    expect(after.myAlerts).toEqual([]);
  });
});
