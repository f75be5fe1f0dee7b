// Issue 14: case work shows what is open. The case lists its actions and referrals with their
// state; closing it with any still open needs a choice for each (complete, cancel with a reason,
// keep open), applied in the closing transaction — a refusal changes nothing — and an action kept
// open is marked on its assignee's "My actions" as belonging to a closed case.
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
import type { CaseView } from '../../shared/schemas/cases.ts';
import type { ActionList } from '../../shared/schemas/actions.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function caseWithOpenWork() {
  const schoolId = await makeSchool(t.services);
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tom Teacher');
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Stone' });
  // Not a restricted category, so a class teacher may be given an action on it.
  const cat = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted);
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const concern = await call(t.app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: 'Ava said she is afraid to go home.',
  });
  const concernId = concern.json<{ id: string }>().id;
  const opened = await call(t.app, dsl, 'POST', '/api/cases', { pupilId: pupil.id, concernId });
  expect(opened.statusCode, opened.body).toBe(201);
  const caseId = opened.json<{ id: string }>().id;
  const action = async (text: string, assigneeId: string) => {
    const res = await call(t.app, dsl, 'POST', '/api/actions', {
      pupilId: pupil.id,
      concernId,
      caseId,
      type: 'phone_call',
      text,
      assigneeId,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const keep = await action('Ring the school nurse', teacherUser.id);
  const cancel = await action('Book a home visit', dslUser.id);
  const agencies = (await call(t.app, dsl, 'GET', '/api/referral-agencies')).json<{
    items: { id: string; name: string }[];
  }>().items;
  const referral = await call(t.app, dsl, 'POST', '/api/referrals', {
    pupilId: pupil.id,
    agencyId: agencies[0]!.id,
    caseId,
    referredAt: new Date(Date.now() - 3_600_000).toISOString(),
  });
  expect(referral.statusCode, referral.body).toBe(201);
  return {
    dsl,
    teacherUser,
    caseId,
    keep,
    cancel,
    referralId: referral.json<{ id: string }>().id,
  };
}

const closure = { outcome: 'Support in place', rationale: 'Family engaged with early help.' };

describe('closing a case with open work', () => {
  it('lists the open work, refuses to close without a choice for each, then applies the choices', async () => {
    const s = await caseWithOpenWork();
    const view = (await call(t.app, s.dsl, 'GET', `/api/cases/${s.caseId}`)).json<CaseView>();
    expect(view.actions.map((a) => [a.text, a.state])).toEqual(
      expect.arrayContaining([
        ['Ring the school nurse', 'no_due_date'],
        ['Book a home visit', 'no_due_date'],
      ]),
    );
    expect(view.referrals.map((r) => r.status)).toEqual(['awaiting']);

    const bare = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/close`, closure);
    expect(bare.statusCode).toBe(400);
    expect(bare.json<{ error: { message: string } }>().error.message).toMatch(
      /3 are not answered \(field "openWork"\)/,
    );
    const noReason = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/close`, {
      ...closure,
      openWork: [
        { kind: 'action', id: s.keep, choice: 'keep_open' },
        { kind: 'action', id: s.cancel, choice: 'cancel' },
        { kind: 'referral', id: s.referralId, choice: 'complete' },
      ],
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ error: { message: string } }>().error.message).toMatch(/reason/);
    const still = (await call(t.app, s.dsl, 'GET', `/api/cases/${s.caseId}`)).json<CaseView>();
    expect(still.status).toBe('open');
    expect(still.referrals[0]!.status).toBe('awaiting');

    const closed = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/close`, {
      ...closure,
      openWork: [
        { kind: 'action', id: s.keep, choice: 'keep_open' },
        { kind: 'action', id: s.cancel, choice: 'cancel', reason: 'Family moved away.' },
        { kind: 'referral', id: s.referralId, choice: 'cancel', reason: 'Early help instead.' },
      ],
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const after = closed.json<CaseView>();
    expect(after.status).toBe('closed');
    const byText = new Map(after.actions.map((a) => [a.text, a]));
    expect(byText.get('Book a home visit')).toMatchObject({
      state: 'cancelled',
      outcome: 'Family moved away.',
      caseClosed: false,
      allowed: [],
    });
    expect(byText.get('Ring the school nurse')).toMatchObject({
      state: 'no_due_date',
      caseClosed: true,
    });
    expect(after.referrals[0]!.status).toBe('closed');

    // The teacher's "My actions" still has the kept one, marked as a closed case's.
    const teacher = await signIn(t.app, s.teacherUser, { elevated: true });
    const mine = (await call(t.app, teacher, 'GET', '/api/actions?mine=true')).json<ActionList>();
    expect(mine.items.map((a) => [a.text, a.caseClosed])).toEqual([
      ['Ring the school nurse', true],
    ]);
  });

  it('closes a case with nothing open as before, and refuses a choice for work not on it', async () => {
    const s = await caseWithOpenWork();
    const stranger = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/no-further-action`, {
      ...closure,
      openWork: [
        { kind: 'action', id: s.keep, choice: 'complete' },
        { kind: 'action', id: s.cancel, choice: 'complete' },
        { kind: 'referral', id: s.referralId, choice: 'complete' },
        { kind: 'referral', id: s.keep, choice: 'complete' },
      ],
    });
    expect(stranger.statusCode).toBe(400);
    const done = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/no-further-action`, {
      ...closure,
      openWork: [
        { kind: 'action', id: s.keep, choice: 'complete' },
        { kind: 'action', id: s.cancel, choice: 'complete', reason: 'Visited on Friday.' },
        { kind: 'referral', id: s.referralId, choice: 'complete' },
      ],
    });
    expect(done.statusCode, done.body).toBe(200);
    const v = done.json<CaseView>();
    expect(v.actions.every((a) => a.state === 'completed')).toBe(true);
    expect(v.actions.find((a) => a.text === 'Book a home visit')?.outcome).toBe(
      'Visited on Friday.',
    );
    // Reopened and closed again: nothing is open now, so no choices are needed.
    const reopened = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/reopen`, {
      reason: 'New information.',
    });
    expect(reopened.statusCode, reopened.body).toBe(200);
    const again = await call(t.app, s.dsl, 'POST', `/api/cases/${s.caseId}/close`, closure);
    expect(again.statusCode, again.body).toBe(200);
  });
});
