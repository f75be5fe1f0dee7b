// A case's owner and review date, and what the server says each user may do with a case or a
// referral, through the HTTP API on a real database: opened with an owner from the staff who
// manage cases and a review date; changed while open, each change an event in the history (and
// on the chronology) and an audit entry; refused once closed; `allowed` follows the status and the
// routes refuse what it leaves out.
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
import { schoolDay } from './service.ts';

type CaseJson = {
  id: string;
  owner: { id: string; name: string };
  status: string;
  reviewOn: string | null;
  reviewDue: boolean;
  allowed: string[];
  events: {
    kind: string;
    owner: { id: string; name: string } | null;
    reviewOn: string | null;
  }[];
};
type Err = { error: { code: string; message: string } };

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
});
afterAll(async () => t.close());

const day = (offset: number) => schoolDay(new Date(Date.now() + offset * 86_400_000));

async function school() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const deputy = await makeUser(t.services, schoolId, 'deputy_dsl', 'Dep Uty');
  const head = await makeUser(t.services, schoolId, 'headteacher', 'Hed Teacher');
  const teacher = await makeUser(t.services, schoolId, 'teacher', 'Tess Teacher');
  const admin = await makeUser(t.services, schoolId, 'school_admin', 'Ad Min');
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava' });
  return { schoolId, dslUser, deputy, head, teacher, admin, dsl, pupil };
}

async function countCases(schoolId: string): Promise<number> {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE school_id = $1', [schoolId]),
  );
  return Number(row!.n);
}

describe('case owner and review date', () => {
  it('lists who may own a case: those who manage cases, not class teachers or administrators', async () => {
    const s = await school();
    const owners = await call(t.app, s.dsl, 'GET', '/api/case-owners');
    expect(owners.statusCode, owners.body).toBe(200);
    const ids = owners.json<{ items: { id: string }[] }>().items.map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining([s.dslUser.id, s.deputy.id, s.head.id]));
    expect(ids).not.toContain(s.teacher.id);
    expect(ids).not.toContain(s.admin.id);
  });

  it('opens with a chosen owner and review date, and refuses an owner who cannot manage cases', async () => {
    const s = await school();
    const review = day(14);
    const opened = await call(t.app, s.dsl, 'POST', '/api/cases', {
      pupilId: s.pupil.id,
      ownerId: s.deputy.id,
      reviewOn: review,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const c = opened.json<CaseJson>();
    expect(c).toMatchObject({
      owner: { id: s.deputy.id, name: 'Dep Uty' },
      reviewOn: review,
      reviewDue: false,
      status: 'open',
    });
    expect(c.events[0]).toMatchObject({
      kind: 'opened',
      owner: { id: s.deputy.id, name: 'Dep Uty' },
      reviewOn: review,
    });
    expect(c.allowed).toEqual(
      expect.arrayContaining(['edit', 'close', 'no_further_action', 'add_concern']),
    );
    expect(c.allowed).not.toContain('reopen');

    // Default: the opener owns it, no review date.
    const mine = await call(t.app, s.dsl, 'POST', '/api/cases', { pupilId: s.pupil.id });
    expect(mine.json<CaseJson>()).toMatchObject({
      owner: { id: s.dslUser.id },
      reviewOn: null,
    });

    const before = await countCases(s.schoolId);
    for (const ownerId of [s.teacher.id, s.admin.id]) {
      const refused = await call(t.app, s.dsl, 'POST', '/api/cases', {
        pupilId: s.pupil.id,
        ownerId,
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<Err>().error.message).toMatch(/staff who manage cases/);
    }
    const past = await call(t.app, s.dsl, 'POST', '/api/cases', {
      pupilId: s.pupil.id,
      reviewOn: day(-2),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json<Err>().error.message).toBe('The review date cannot be in the past.');
    const notADate = await call(t.app, s.dsl, 'POST', '/api/cases', {
      pupilId: s.pupil.id,
      reviewOn: '2026-02-30',
    });
    expect(notADate.statusCode).toBe(400);
    expect(await countCases(s.schoolId)).toBe(before);
  });

  it('changes owner and review date while open, each change in the history and audited', async () => {
    const s = await school();
    const c = (
      await call(t.app, s.dsl, 'POST', '/api/cases', { pupilId: s.pupil.id })
    ).json<CaseJson>();
    const patch = (body: unknown) => call(t.app, s.dsl, 'PATCH', `/api/cases/${c.id}`, body);

    const changed = await patch({ ownerId: s.head.id, reviewOn: day(0) });
    expect(changed.statusCode, changed.body).toBe(200);
    const view = changed.json<CaseJson>();
    expect(view).toMatchObject({
      owner: { id: s.head.id, name: 'Hed Teacher' },
      reviewOn: day(0),
      reviewDue: true, // today is the review date
    });
    // Both changes at the same moment: in either order after the opening.
    expect(view.events[0]!.kind).toBe('opened');
    expect(view.events.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'owner_changed',
          owner: { id: s.head.id, name: 'Hed Teacher' },
        }),
        expect.objectContaining({ kind: 'review_date_changed', reviewOn: day(0) }),
      ]),
    );
    expect(view.events).toHaveLength(3);

    // The dashboard lists it as due for review.
    const dash = (await call(t.app, s.dsl, 'GET', '/api/dashboard')).json<{
      openCases: { id: string; reviewDue: boolean }[];
    }>();
    expect(dash.openCases.find((x) => x.id === c.id)?.reviewDue).toBe(true);

    // The same values again change nothing; clearing the date is a change.
    const same = await patch({ ownerId: s.head.id, reviewOn: day(0) });
    expect(same.json<CaseJson>().events).toHaveLength(3);
    const cleared = await patch({ reviewOn: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json<CaseJson>()).toMatchObject({ reviewOn: null, reviewDue: false });
    expect(cleared.json<CaseJson>().events.at(-1)).toMatchObject({
      kind: 'review_date_changed',
      reviewOn: null,
    });

    // Bad input: a clear 400, nothing written.
    for (const [body, message] of [
      [{}, /Say what to change/],
      [{ ownerId: s.teacher.id }, /staff who manage cases/],
      [{ reviewOn: day(-3) }, /cannot be in the past/],
      [{ reviewOn: 'soon' }, /reviewOn/],
    ] as const) {
      const bad = await patch(body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json<Err>().error.message).toMatch(message);
    }
    const now = (await call(t.app, s.dsl, 'GET', `/api/cases/${c.id}`)).json<CaseJson>();
    expect(now.owner.id).toBe(s.head.id);
    expect(now.events).toHaveLength(4);

    const audit = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ action: string; details: Record<string, unknown> }>(
        `SELECT action, details FROM audit_events WHERE school_id = $1 AND target_id = $2
         AND action IN ('case.owner_changed', 'case.review_date_changed') ORDER BY seq`,
        [s.schoolId, c.id],
      ),
    );
    expect(audit).toEqual([
      { action: 'case.owner_changed', details: { from: s.dslUser.id, to: s.head.id } },
      { action: 'case.review_date_changed', details: { from: null, to: day(0) } },
      { action: 'case.review_date_changed', details: { from: day(0), to: null } },
    ]);

    // On the pupil's chronology too.
    const chron = await call(t.app, s.dsl, 'GET', `/api/pupils/${s.pupil.id}/chronology`);
    const titles = chron.json<{ entries: { title: string }[] }>().entries.map((e) => e.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Case owner changed', 'Case review date changed']),
    );

    // Another school's DSL finds nothing to change.
    const other = await school();
    const foreign = await call(t.app, other.dsl, 'PATCH', `/api/cases/${c.id}`, {
      ownerId: other.dslUser.id,
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('sends what may be done with a case and refuses the rest once it is closed', async () => {
    const s = await school();
    const teacher = await signIn(t.app, s.teacher);
    const cats = await categoryIds(t.services, s.schoolId);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.pupil.id, role: 'subject' }],
      categoryIds: [cats.find((x) => !x.restricted)!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Late again.',
    });
    const concernId = logged.json<{ id: string }>().id;
    const c = (
      await call(t.app, s.dsl, 'POST', '/api/cases', { pupilId: s.pupil.id })
    ).json<CaseJson>();
    const closed = await call(t.app, s.dsl, 'POST', `/api/cases/${c.id}/close`, {
      outcome: 'Resolved',
      rationale: 'Attendance back to normal after a meeting with mum.',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<CaseJson>().allowed).toEqual(['reopen']);

    const again = await call(t.app, s.dsl, 'POST', `/api/cases/${c.id}/close`, {
      outcome: 'Resolved',
      rationale: 'Attendance back to normal after a meeting with mum.',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<Err>().error.message).toBe('Only an open case can be closed.');
    const edit = await call(t.app, s.dsl, 'PATCH', `/api/cases/${c.id}`, { reviewOn: day(7) });
    expect(edit.statusCode).toBe(409);
    expect(edit.json<Err>().error.message).toMatch(/reopen it first/);
    const join = await call(t.app, s.dsl, 'POST', `/api/cases/${c.id}/concerns`, { concernId });
    expect(join.statusCode).toBe(409);
    const agencyId = (await call(t.app, s.dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string }[];
    }>().items[0]!.id;
    const referral = await call(t.app, s.dsl, 'POST', '/api/referrals', {
      pupilId: s.pupil.id,
      agencyId,
      caseId: c.id,
      referredAt: new Date().toISOString(),
    });
    expect(referral.statusCode).toBe(409);
    const unchanged = (await call(t.app, s.dsl, 'GET', `/api/cases/${c.id}`)).json<CaseJson>();
    expect(unchanged.events.map((e) => e.kind)).toEqual(['opened', 'closed']);

    const reopened = await call(t.app, s.dsl, 'POST', `/api/cases/${c.id}/reopen`, {
      reason: 'New concern.',
    });
    expect(reopened.json<CaseJson>().allowed).toContain('edit');
    const reopenAgain = await call(t.app, s.dsl, 'POST', `/api/cases/${c.id}/reopen`, {
      reason: 'Twice.',
    });
    expect(reopenAgain.statusCode).toBe(409);
  });
});

describe('what may be done with a referral', () => {
  it('follows its state, and the routes refuse what it leaves out', async () => {
    const s = await school();
    const agencyId = (await call(t.app, s.dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string }[];
    }>().items[0]!.id;
    const made = await call(t.app, s.dsl, 'POST', '/api/referrals', {
      pupilId: s.pupil.id,
      agencyId,
      referredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const r = made.json<{ id: string; allowed: string[] }>();
    expect(r.allowed).toEqual(['add_followup', 'record_response', 'close']);
    const url = `/api/referrals/${r.id}`;

    const future = await call(t.app, s.dsl, 'POST', `${url}/followups`, {
      kind: 'call',
      at: new Date(Date.now() + 86_400_000).toISOString(),
      note: 'Tomorrow',
    });
    expect(future.statusCode).toBe(400);
    const early = await call(t.app, s.dsl, 'POST', `${url}/status`, {
      status: 'responded',
      at: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    });
    expect(early.statusCode).toBe(400);
    expect(early.json<Err>().error.message).toMatch(/before the referral was made/);

    const responded = await call(t.app, s.dsl, 'POST', `${url}/status`, { status: 'responded' });
    expect(responded.json<{ allowed: string[] }>().allowed).toEqual(['add_followup', 'close']);
    const twice = await call(t.app, s.dsl, 'POST', `${url}/status`, { status: 'responded' });
    expect(twice.statusCode).toBe(409);
    const closed = await call(t.app, s.dsl, 'POST', `${url}/status`, { status: 'closed' });
    expect(closed.json<{ allowed: string[] }>().allowed).toEqual([]);
    const followup = await call(t.app, s.dsl, 'POST', `${url}/followups`, {
      kind: 'call',
      note: 'After closing',
    });
    expect(followup.statusCode).toBe(409);
    const detail = (await call(t.app, s.dsl, 'GET', url)).json<{ followups: unknown[] }>();
    expect(detail.followups).toEqual([]);
    const list = (await call(t.app, s.dsl, 'GET', `/api/referrals?pupilId=${s.pupil.id}`)).json<{
      items: { id: string; allowed: string[] }[];
    }>();
    expect(list.items.find((x) => x.id === r.id)!.allowed).toEqual([]);
  });
});
