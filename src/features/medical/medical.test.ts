// Medical and care profiles over HTTP (issue 21), on both engines: a change by staff waits for a
// parent's confirmation and one by a parent for a staff acknowledgement; nothing is overwritten;
// plans' expiry reminders on the injected clock (30 Sep → 2 Sep, 7 Oct, 14 Oct) say only that
// there is something to look at; the annual review list; bad input refused with nothing written.
// The parent's side is driven through the domain functions with a parent's Side until the parent
// door (s10-parents) is merged; then parent-routes.test.ts drives it over HTTP.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { asSystem, type SchoolTx } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  auditRows,
  drainWork,
  errorOf,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';
import type { MedicalProfile, PlanReviewList } from '../../shared/medical.ts';
import { answerEntry, proposeEntry } from './profile.ts';
import { addPlan, answerPlan } from './plans.ts';
import { runPlanReminders } from '../../jobs/medical-reminders.ts';
import { makeParent, parentCall, signInParent } from '../parents/parent-test-kit.ts';

let t: TestApp;
let mail: MailTrap;
const clock = testClock(new Date('2026-08-01T09:00:00Z'));
beforeAll(async () => {
  mail = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: mail.url }, clock });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

// A tiny real PDF: the plan's bytes are checked like the vault's.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

async function school() {
  const schoolId = await makeSchool(t.services);
  const adminUser = await makeUser(t.services, schoolId, 'school_admin');
  const admin = await signIn(t.app, adminUser, { elevated: true });
  const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
    elevated: true,
  });
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Amara' });
  const parent = { kind: 'parent' as const, parentId: randomUUID() };
  const asParent = <T>(fn: (tx: SchoolTx) => Promise<T>) =>
    asSystem(t.services, schoolId, 'operator', 'parent-door stand-in').tx(fn);
  return { schoolId, admin, teacher, pupil, parent, asParent };
}

const profileOf = async (s: Awaited<ReturnType<typeof school>>) => {
  const res = await call(t.app, s.admin, 'GET', `/api/pupils/${s.pupil.id}/medical`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<MedicalProfile>();
};

describe('medical and care profile', () => {
  it('a change by staff waits for the parent; one by a parent waits for staff; nothing is overwritten', async () => {
    const s = await school();
    const proposed = await call(
      t.app,
      s.admin,
      'POST',
      `/api/pupils/${s.pupil.id}/medical/entries`,
      {
        kind: 'allergy',
        content: {
          name: 'Peanuts',
          severity: 'anaphylaxis',
          details: 'Adrenaline pen in the office',
        },
      },
    );
    expect(proposed.statusCode, proposed.body).toBe(201);
    const { id: staffChange } = proposed.json<{ id: string; state: string }>();
    expect(proposed.json<{ state: string }>().state).toBe('awaiting_parent');

    let p = await profileOf(s);
    expect(p.items).toHaveLength(1);
    expect(p.items[0]!.current).toBeNull();
    expect(p.items[0]!.pending[0]!.state).toBe('awaiting_parent');
    // Staff cannot acknowledge their own side's change: it waits for the parent.
    const early = await call(
      t.app,
      s.admin,
      'POST',
      `/api/medical/entries/${staffChange}/acknowledge`,
    );
    expect(early.statusCode).toBe(409);

    // The parent confirms: it is current.
    await s.asParent((tx) => answerEntry(tx, s.parent, staffChange, 'agree', [s.pupil.id]));
    p = await profileOf(s);
    const entryKey = p.items[0]!.entryKey;
    expect(p.items[0]!.current?.content?.name).toBe('Peanuts');
    expect(p.items[0]!.pending).toHaveLength(0);

    // A parent's change to it waits for staff; the confirmed version stays current meanwhile.
    const change = await s.asParent((tx) =>
      proposeEntry(tx, s.parent, s.pupil.id, {
        kind: 'allergy',
        entryKey,
        content: { name: 'Peanuts and tree nuts', severity: 'anaphylaxis' },
      }),
    );
    p = await profileOf(s);
    expect(p.items[0]!.current?.content?.name).toBe('Peanuts');
    expect(p.items[0]!.pending[0]!.state).toBe('awaiting_staff');
    expect(p.items[0]!.pending[0]!.allowed).toEqual(['acknowledge', 'decline']);
    expect(p.waitingForYou).toBe(1);

    const ack = await call(t.app, s.admin, 'POST', `/api/medical/entries/${change.id}/acknowledge`);
    expect(ack.statusCode, ack.body).toBe(200);
    p = await profileOf(s);
    expect(p.items[0]!.current?.content?.name).toBe('Peanuts and tree nuts');
    expect(p.items[0]!.history.map((h) => [h.content?.name, h.state])).toEqual([
      ['Peanuts', 'superseded'],
    ]);

    const actions = (await auditRows(t, s.schoolId)).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'medical.change_proposed',
        'medical.change_confirmed',
        'medical.profile_viewed',
      ]),
    );
    // No content in the audit trail.
    const rows = await auditRows(t, s.schoolId);
    expect(JSON.stringify(rows)).not.toMatch(/Peanut/);
  });

  it("a parent confirms the school's change through the parent door, and proposes one of their own", async () => {
    const s = await school();
    const parent = await makeParent(t, s.schoolId, [s.pupil.id]);
    const ps = await signInParent(t, parent);
    const made = await call(t.app, s.admin, 'POST', `/api/pupils/${s.pupil.id}/medical/entries`, {
      kind: 'condition',
      content: { name: 'Asthma', riskLevel: 'high' },
    });
    const changeId = made.json<{ id: string }>().id;
    const seen = await parentCall(t, ps, 'GET', `/api/parent/children/${s.pupil.id}/medical`);
    expect(seen.statusCode, seen.body).toBe(200);
    const item = seen.json<MedicalProfile>().items[0]!;
    expect(item.pending[0]!.allowed).toEqual(['confirm', 'decline']);
    const confirmed = await parentCall(
      t,
      ps,
      'POST',
      `/api/parent/children/${s.pupil.id}/medical/entries/${changeId}/confirm`,
    );
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect((await profileOf(s)).items[0]!.current?.content?.name).toBe('Asthma');
    const own = await parentCall(
      t,
      ps,
      'POST',
      `/api/parent/children/${s.pupil.id}/medical/entries`,
      {
        kind: 'dietary',
        content: { name: 'No pork' },
      },
    );
    expect(own.statusCode, own.body).toBe(201);
    expect((await profileOf(s)).waitingForYou).toBe(1);
    // Confirming twice is refused: it waits for nobody now.
    const twice = await parentCall(
      t,
      ps,
      'POST',
      `/api/parent/children/${s.pupil.id}/medical/entries/${changeId}/confirm`,
    );
    expect(twice.statusCode).toBe(409);

    // Another family's parent naming this change under their own child: 404, and recorded.
    const otherPupil = await makePupil(t.services, s.schoolId, { firstName: 'Zed' });
    const otherParent = await signInParent(t, await makeParent(t, s.schoolId, [otherPupil.id]));
    for (const url of [
      `/api/parent/children/${otherPupil.id}/medical/entries/${changeId}/confirm`,
      `/api/parent/children/${otherPupil.id}/medical/plans/${changeId}/file`,
    ]) {
      const res = await parentCall(t, otherParent, url.endsWith('file') ? 'GET' : 'POST', url);
      expect(res.statusCode).toBe(404);
    }
    const refused = (await auditRows(t, s.schoolId)).filter(
      (r) => r.action === 'medical.change_refused',
    );
    expect(refused.map((r) => [r.target_id, r.details])).toEqual([
      [otherPupil.id, { by: 'parent', entry: changeId, reason: 'not_this_child' }],
      [otherPupil.id, { by: 'parent', entry: changeId, reason: 'not_this_child' }],
    ]);
  });

  it('refuses bad input clearly and writes nothing; a teacher without the parents ability gets 403', async () => {
    const s = await school();
    const count = async () =>
      (
        await unsafeAsOwner(t.services.db, (q) =>
          q.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM medical_entries WHERE school_id = $1',
            [s.schoolId],
          ),
        )
      )[0]!.n;
    const noRisk = await call(t.app, s.admin, 'POST', `/api/pupils/${s.pupil.id}/medical/entries`, {
      kind: 'condition',
      content: { name: 'Asthma' },
    });
    expect(noRisk.statusCode).toBe(400);
    expect(errorOf(noRisk).message).toMatch(/risk level/);
    const medication = await call(
      t.app,
      s.admin,
      'POST',
      `/api/pupils/${s.pupil.id}/medical/entries`,
      {
        kind: 'medication',
        content: { name: 'Salbutamol', dose: '2 puffs' },
      },
    );
    expect(medication.statusCode).toBe(400);
    expect(errorOf(medication).message).toMatch(/when it is given/);
    const unknown = await call(
      t.app,
      s.admin,
      'POST',
      `/api/pupils/${s.pupil.id}/medical/entries`,
      {
        kind: 'dietary',
        entryKey: randomUUID(),
        content: { name: 'Halal' },
      },
    );
    expect(unknown.statusCode).toBe(404);
    expect(await count()).toBe(0);
    const teacher = await call(t.app, s.teacher, 'GET', `/api/pupils/${s.pupil.id}/medical`);
    expect(teacher.statusCode).toBe(403);
    const other = await school();
    const elsewhere = await call(t.app, other.admin, 'GET', `/api/pupils/${s.pupil.id}/medical`);
    expect(elsewhere.statusCode).toBe(404);
  });

  it('an older waiting change never overwrites a newer current one; one current version per item and per replaced plan', async () => {
    clock.set(new Date('2026-08-01T09:00:00Z'));
    const s = await school();
    const v1 = await s.asParent((tx) =>
      proposeEntry(tx, s.parent, s.pupil.id, { kind: 'dietary', content: { name: 'No pork' } }),
    );
    await call(t.app, s.admin, 'POST', `/api/medical/entries/${v1.id}/acknowledge`);
    const entryKey = (await profileOf(s)).items[0]!.entryKey;
    clock.set(new Date('2026-08-01T09:05:00Z'));
    const older = await s.asParent((tx) =>
      proposeEntry(tx, s.parent, s.pupil.id, {
        kind: 'dietary',
        entryKey,
        content: { name: 'Halal' },
      }),
    );
    clock.set(new Date('2026-08-01T09:10:00Z'));
    const newer = await s.asParent((tx) =>
      proposeEntry(tx, s.parent, s.pupil.id, {
        kind: 'dietary',
        entryKey,
        content: { name: 'Halal, no gelatine' },
      }),
    );
    const ackNewer = await call(
      t.app,
      s.admin,
      'POST',
      `/api/medical/entries/${newer.id}/acknowledge`,
    );
    expect(ackNewer.statusCode, ackNewer.body).toBe(200);
    // The older change, still waiting before, is superseded and cannot be made current.
    const ackOlder = await call(
      t.app,
      s.admin,
      'POST',
      `/api/medical/entries/${older.id}/acknowledge`,
    );
    expect(ackOlder.statusCode, ackOlder.body).toBe(409);
    const p = await profileOf(s);
    expect(p.items[0]!.current?.content?.name).toBe('Halal, no gelatine');
    expect(p.items[0]!.pending).toHaveLength(0);
    // The database's last wall: a second current version of the item is refused.
    await expect(
      unsafeAsOwner(t.services.db, (q) =>
        q.query('UPDATE medical_entries SET superseded_at = NULL WHERE id = $1', [v1.id]),
      ),
    ).rejects.toThrow();

    // The app's login may record answers but never rewrite what was proposed.
    const asApp = (sql: string) =>
      asSystem(t.services, s.schoolId, 'operator').tx((tx) => tx.q(sql, [v1.id]));
    await expect(
      asApp('UPDATE medical_entries SET content = content WHERE id = $1'),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asApp('UPDATE medical_entries SET proposed_at = proposed_at WHERE id = $1'),
    ).rejects.toThrow(/permission denied/);
    await expect(asApp('DELETE FROM medical_entries WHERE id = $1')).rejects.toThrow(
      /permission denied/,
    );

    // Plans: two replacements of the same plan; once one is current, the other cannot be.
    const plan = (title: string, replaces?: string) =>
      s.asParent((tx) =>
        addPlan(tx, s.parent, s.pupil.id, {
          kind: 'action_plan',
          title,
          expiresOn: '2027-06-30',
          fileName: 'plan.pdf',
          content: PDF,
          ...(replaces ? { replaces } : {}),
        }),
      );
    const first = await plan('First');
    expect(
      (await call(t.app, s.admin, 'POST', `/api/medical/plans/${first.id}/acknowledge`)).statusCode,
    ).toBe(200);
    const a = await plan('Replacement A', first.id);
    const b = await plan('Replacement B', first.id);
    const ackA = await call(t.app, s.admin, 'POST', `/api/medical/plans/${a.id}/acknowledge`);
    expect(ackA.statusCode, ackA.body).toBe(200);
    const ackB = await call(t.app, s.admin, 'POST', `/api/medical/plans/${b.id}/acknowledge`);
    expect(ackB.statusCode, ackB.body).toBe(409);
  });

  it('reminds the parents 28 days before a plan expires and every 7 days after, until it is replaced', async () => {
    clock.set(new Date('2026-08-01T09:00:00Z'));
    const s = await school();
    // A parent with an account in Lantern: the reminder's recipient.
    const { email } = await makeParent(t, s.schoolId, [s.pupil.id]);
    const added = await call(t.app, s.admin, 'POST', `/api/pupils/${s.pupil.id}/medical/plans`, {
      kind: 'action_plan',
      title: 'Asthma action plan',
      expiresOn: '2026-09-30',
      fileName: 'asthma-plan.pdf',
      content: PDF,
    });
    expect(added.statusCode, added.body).toBe(201);
    const planId = added.json<{ id: string }>().id;
    await s.asParent((tx) => answerPlan(tx, s.parent, planId, 'agree', [s.pupil.id]));

    const sentOn = async (day: string) => {
      const before = mail.messages.length;
      clock.set(new Date(`${day}T08:00:00Z`));
      const n = await runPlanReminders(t.services, clock.now(), [s.schoolId]);
      await drainWork(t);
      const got = mail.messages.slice(before).filter((m) => m.to.includes(email));
      return { n, got };
    };
    expect((await sentOn('2026-09-01')).n).toBe(0);
    const first = await sentOn('2026-09-02');
    expect(first.n).toBe(1);
    expect(first.got).toHaveLength(1);
    // The email says only that there is something to look at: no child, no plan, no condition.
    expect(first.got[0]!.text).toMatch(/something new for you to look at/);
    expect(first.got[0]!.text).not.toMatch(/Amara|asthma|plan/i);
    expect((await sentOn('2026-09-02')).n).toBe(0);
    expect((await sentOn('2026-09-30')).n).toBe(0);
    expect((await sentOn('2026-10-06')).n).toBe(0);
    expect((await sentOn('2026-10-07')).n).toBe(1);
    expect((await sentOn('2026-10-13')).n).toBe(0);
    expect((await sentOn('2026-10-14')).n).toBe(1);
    const reminded = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ due_on: string }>(
        'SELECT due_on::text AS due_on FROM medical_plan_reminders WHERE plan_id = $1 ORDER BY due_on',
        [planId],
      ),
    );
    expect(reminded.map((r) => r.due_on)).toEqual(['2026-09-02', '2026-10-07', '2026-10-14']);

    // Replaced: a new plan, once sent, stops the reminders.
    // (Through the domain: the administrator's session did not survive the clock's months.)
    clock.set(new Date('2026-10-15T09:00:00Z'));
    const replaced = await s.asParent((tx) =>
      addPlan(tx, s.parent, s.pupil.id, {
        kind: 'action_plan',
        title: 'Asthma action plan 2027',
        expiresOn: '2027-09-30',
        fileName: 'asthma-plan-2027.pdf',
        content: PDF,
        replaces: planId,
      }),
    );
    expect(replaced.state).toBe('awaiting_staff');
    expect((await sentOn('2026-10-21')).n).toBe(0);
    clock.set(new Date('2026-08-01T09:00:00Z'));
  });

  it('sends no plan reminders for a pupil who has left (archived)', async () => {
    clock.set(new Date('2026-08-01T09:00:00Z'));
    const s = await school();
    await makeParent(t, s.schoolId, [s.pupil.id]);
    const plan = await s.asParent((tx) =>
      addPlan(tx, s.parent, s.pupil.id, {
        kind: 'action_plan',
        title: 'Plan',
        expiresOn: '2026-08-20',
        fileName: 'plan.pdf',
        content: PDF,
      }),
    );
    expect(
      (await call(t.app, s.admin, 'POST', `/api/medical/plans/${plan.id}/acknowledge`)).statusCode,
    ).toBe(200);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET archived_at = $2 WHERE id = $1', [s.pupil.id, clock.now()]),
    );
    expect(await runPlanReminders(t.services, clock.now(), [s.schoolId])).toBe(0);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET archived_at = NULL WHERE id = $1', [s.pupil.id]),
    );
    expect(await runPlanReminders(t.services, clock.now(), [s.schoolId])).toBe(1);
  });

  it('lists each current plan for its annual review, and records it done', async () => {
    clock.set(new Date('2026-08-01T09:00:00Z'));
    const s = await school();
    const added = await call(t.app, s.admin, 'POST', `/api/pupils/${s.pupil.id}/medical/plans`, {
      kind: 'healthcare_plan',
      title: 'Epilepsy healthcare plan',
      expiresOn: '2027-07-31',
      fileName: 'ihp.pdf',
      content: PDF,
    });
    const planId = added.json<{ id: string }>().id;
    let list = (await call(t.app, s.admin, 'GET', '/api/medical/reviews')).json<PlanReviewList>();
    expect(list.items).toHaveLength(0); // not current until the parent confirms
    await s.asParent((tx) => answerPlan(tx, s.parent, planId, 'agree', [s.pupil.id]));
    list = (await call(t.app, s.admin, 'GET', '/api/medical/reviews')).json<PlanReviewList>();
    expect(list.items.map((r) => [r.title, r.dueOn, r.doneAt])).toEqual([
      ['Epilepsy healthcare plan', '2027-08-01', null],
    ]);
    // Reviewed early: the plan's yearly cycle goes on; the one done stays listed with its date.
    const admin = s.admin;
    const done = await call(t.app, admin, 'POST', `/api/medical/reviews/${list.items[0]!.id}/done`);
    expect(done.statusCode, done.body).toBe(200);
    list = (await call(t.app, admin, 'GET', '/api/medical/reviews')).json<PlanReviewList>();
    expect(list.items.map((r) => r.dueOn)).toEqual(['2028-08-01', '2027-08-01']);
    expect(list.items[1]!.doneAt).not.toBeNull();
    const twice = await call(
      t.app,
      admin,
      'POST',
      `/api/medical/reviews/${list.items[1]!.id}/done`,
    );
    expect(twice.statusCode).toBe(409);
    // The document comes back as it went in, as a download.
    const file = await call(t.app, admin, 'GET', `/api/medical/plans/${planId}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/attachment/);
    expect(file.rawPayload.toString('base64')).toBe(PDF);
  });
});
