// The register of rights requests over HTTP (issue 17): only the DPO (and those the school grants
// `data_protection`) sees it, every view audited; the due date is the ICO's; an extension is made
// only inside the first month, with its reason and notice sealed; the child's voice comes before a
// release about a child of 12 or over, and a restricted requester waits for the DSL's review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../../test/harness.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import {
  addCalendarMonths,
  addDays,
  englandCalendar,
  onOrNextWorkingDay,
} from '../../../shared/calendar.ts';
import type { RequestDetail, RequestList } from '../../../shared/schemas/data-protection.ts';
import { todayInEngland } from './load.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const today = () => todayInEngland(new Date());
const cal = englandCalendar();

async function school() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'headteacher' | 'teacher' | 'school_admin') =>
    signIn(t.app, await makeUser(t.services, schoolId, role), { elevated: true });
  const pupil = await makePupil(t.services, schoolId);
  return { schoolId, pupil, dpo: await as('dpo'), as };
}

async function record(s: Session, body: Record<string, unknown>) {
  const res = await call(t.app, s, 'POST', '/api/data-protection/requests', {
    kind: 'subject_access',
    requester: 'Mrs A Parent, 1 Road',
    relationship: 'parent',
    channel: 'email',
    receivedOn: today(),
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}
const detail = async (s: Session, id: string) => {
  const res = await call(t.app, s, 'GET', `/api/data-protection/requests/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RequestDetail>();
};
const dp = async (schoolId: string) =>
  (await auditRows(t, schoolId)).filter((r) => r.action.startsWith('dp.')).map((r) => r.action);

describe('the register of rights requests', () => {
  it('is the DPO’s: recorded, listed and read with the ICO’s due date, each view audited', async () => {
    const { schoolId, pupil, dpo, as } = await school();
    const id = await record(dpo, { subjects: [pupil.id], relationship: 'self' });
    const list = await call(t.app, dpo, 'GET', '/api/data-protection/requests');
    expect(list.statusCode, list.body).toBe(200);
    const body = list.json<RequestList>();
    expect(body.allowed).toEqual(['record']);
    const due = onOrNextWorkingDay(addCalendarMonths(today(), 1), cal);
    expect(body.items).toEqual([
      expect.objectContaining({
        id,
        requester: 'Mrs A Parent, 1 Road',
        dueOn: due,
        clock: 'running',
        overdue: false,
        subjects: [{ id: pupil.id, name: pupil.name }],
      }),
    ]);
    const one = await detail(dpo, id);
    // Nothing is released until an approved pack's disclosure is recorded (sar/sar.test.ts).
    expect(one.allowed).toEqual(['edit', 'extend', 'close']);
    expect(await dp(schoolId)).toEqual([
      'dp.request_recorded',
      'dp.requests_viewed',
      'dp.request_viewed',
    ]);
    // The DSL, the headteacher, a teacher and an administrator do not hold the register.
    for (const role of ['dsl', 'headteacher', 'teacher', 'school_admin'] as const) {
      const s = await as(role);
      expect((await call(t.app, s, 'GET', '/api/data-protection/requests')).statusCode).toBe(403);
    }
  });

  it('pauses for clarification and runs again a month from its arrival', async () => {
    const { pupil, dpo } = await school();
    const received = addDays(today(), -10);
    const id = await record(dpo, { subjects: [pupil.id], receivedOn: received });
    const asked = addDays(today(), -8);
    const patch = (body: unknown) =>
      call(t.app, dpo, 'PATCH', `/api/data-protection/requests/${id}`, body);
    expect((await patch({ clarificationAskedOn: asked })).statusCode).toBe(200);
    expect(await detail(dpo, id)).toMatchObject({ clock: 'paused_clarification', dueOn: null });
    expect((await patch({ clarificationReceivedOn: addDays(asked, -1) })).statusCode).toBe(400);
    expect((await patch({ clarificationReceivedOn: today() })).statusCode).toBe(200);
    expect((await detail(dpo, id)).dueOn).toBe(
      onOrNextWorkingDay(addCalendarMonths(today(), 1), cal),
    );
  });

  it('refuses a reset of the clock once the request is overdue', async () => {
    const { pupil, dpo } = await school();
    const id = await record(dpo, { subjects: [pupil.id], receivedOn: addDays(today(), -40) });
    const patch = (body: unknown) =>
      call(t.app, dpo, 'PATCH', `/api/data-protection/requests/${id}`, body);
    for (const body of [{ identityVerifiedOn: today() }, { clarificationAskedOn: today() }]) {
      const res = await patch(body);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('overdue');
    }
    expect((await detail(dpo, id)).overdue).toBe(true);
  });

  it('extends inside the first month with a sealed reason and notice, and refuses it later', async () => {
    const { schoolId, pupil, dpo } = await school();
    const id = await record(dpo, { subjects: [pupil.id] });
    const extend = (rid: string) =>
      call(t.app, dpo, 'POST', `/api/data-protection/requests/${rid}/extension`, {
        months: 2,
        reason: 'Complex: many records',
        notice: 'Dear Mrs Parent, we need more time because…',
      });
    const ok = await extend(id);
    expect(ok.statusCode, ok.body).toBe(200);
    const to = onOrNextWorkingDay(addCalendarMonths(today(), 3), cal);
    expect(ok.json()).toEqual({ dueOn: to });
    const d = await detail(dpo, id);
    expect(d.dueOn).toBe(to);
    expect(d.extension).toMatchObject({ to, reason: 'Complex: many records' });
    expect(d.allowed).not.toContain('extend');
    expect((await extend(id)).statusCode).toBe(409);

    const late = await record(dpo, { subjects: [pupil.id], receivedOn: addDays(today(), -40) });
    const refused = await extend(late);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      /within the first month/,
    );
    expect((await detail(dpo, late)).overdue).toBe(true);
    const [stored] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ extension_reason: Buffer }>(
        'SELECT extension_reason FROM dp_requests WHERE id = $1',
        [id],
      ),
    );
    expect(stored!.extension_reason.toString('utf8')).not.toContain('Complex');
    expect((await auditRows(t, schoolId)).map((r) => r.action)).toContain('dp.refused');
  });

  it("waits for the child's voice when a parent asks about a child of 12 or over", async () => {
    const { pupil, dpo } = await school();
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [
        pupil.id,
        `${Number(today().slice(0, 4)) - 13}-01-01`,
      ]),
    );
    const id = await record(dpo, { subjects: [pupil.id] });
    const close = (outcome: string) =>
      call(t.app, dpo, 'POST', `/api/data-protection/requests/${id}/close`, {
        outcome,
        note: 'Sent the records by secure email',
      });
    expect(await detail(dpo, id)).toMatchObject({ childVoiceNeeded: true });
    const refused = await close('released');
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('child_voice_needed');
    // 'Completed' is a release by another name for a subject-access request.
    const completed = await close('completed');
    expect(completed.statusCode).toBe(409);
    expect(completed.json<{ error: { code: string } }>().error.code).toBe('child_voice_needed');
    const voice = await call(
      t.app,
      dpo,
      'POST',
      `/api/data-protection/requests/${id}/child-voice`,
      {
        competence: 'Understands the request and its effects',
        views: 'Content for their parent to see it',
      },
    );
    expect(voice.statusCode, voice.body).toBe(200);
    // The child's voice is heard: what holds the release now is the release itself (sar/).
    const next = await close('released');
    expect(next.statusCode).toBe(409);
    expect(next.json<{ error: { code: string } }>().error.code).toBe('disclosure_needed');
    expect((await close('refused')).statusCode).toBe(200);
    expect(await detail(dpo, id)).toMatchObject({ status: 'refused', allowed: [] });
  });

  it("asks for the child's voice whoever but the child asks", async () => {
    const { pupil, dpo } = await school();
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [
        pupil.id,
        `${Number(today().slice(0, 4)) - 13}-01-01`,
      ]),
    );
    for (const relationship of ['representative', 'other', 'carer'])
      expect(
        await detail(dpo, await record(dpo, { subjects: [pupil.id], relationship })),
      ).toMatchObject({ childVoiceNeeded: true });
    expect(
      await detail(dpo, await record(dpo, { subjects: [pupil.id], relationship: 'self' })),
    ).toMatchObject({ childVoiceNeeded: false });
  });

  it('holds release from a restricted contact until the DSL has reviewed it', async () => {
    const { schoolId, pupil, dpo, as } = await school();
    const [contact] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>(
        `INSERT INTO contacts (school_id, mis_id, first_name, last_name)
         VALUES ($1, 'C-dp', 'Re', 'Stricted') RETURNING id`,
        [schoolId],
      ),
    );
    const dsl = await as('dsl');
    const restricted = await call(t.app, dsl, 'POST', `/api/pupils/${pupil.id}/restrictions`, {
      contactId: contact!.id,
      kind: 'no_contact',
      courtOrder: true,
    });
    expect(restricted.statusCode, restricted.body).toBe(201);
    // A child of 8: no voice to record, so only the DSL's review holds the release.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [
        pupil.id,
        `${Number(today().slice(0, 4)) - 8}-01-01`,
      ]),
    );
    // Without naming the contact who asks, the DSL's hold could be dodged.
    const unnamed = await call(t.app, dpo, 'POST', '/api/data-protection/requests', {
      kind: 'subject_access',
      requester: 'Someone',
      relationship: 'parent',
      channel: 'email',
      receivedOn: today(),
      subjects: [pupil.id],
    });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json<{ error: { message: string } }>().error.message).toMatch(
      /Choose which of the child's contacts is asking/,
    );
    const id = await record(dpo, {
      subjects: [pupil.id],
      requesterContactId: contact!.id,
      relationship: 'representative',
    });
    expect(await detail(dpo, id)).toMatchObject({ restrictedRequester: true, dslReview: null });
    const release = () =>
      call(t.app, dpo, 'POST', `/api/data-protection/requests/${id}/close`, {
        outcome: 'released',
        note: 'Released',
      });
    const refused = await release();
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('dsl_review_needed');
    const completed = await call(t.app, dpo, 'POST', `/api/data-protection/requests/${id}/close`, {
      outcome: 'completed',
      note: 'Sent',
    });
    expect(completed.json<{ error: { code: string } }>().error.code).toBe('dsl_review_needed');
    // The DPO is not the DSL team; the headteacher neither.
    const review = (s: Session) =>
      call(t.app, s, 'POST', `/api/data-protection/requests/${id}/dsl-review`);
    expect((await review(dpo)).statusCode).toBe(403);
    expect((await review(await as('headteacher'))).statusCode).toBe(403);
    expect((await review(dsl)).statusCode).toBe(200);
    const next = await release();
    expect(next.statusCode).toBe(409);
    expect(next.json<{ error: { code: string } }>().error.code).toBe('disclosure_needed');
  });

  it('refuses bad input with a message, and nothing is written', async () => {
    const { schoolId, pupil, dpo } = await school();
    const other = await makePupil(t.services, await makeSchool(t.services));
    const bad = async (body: Record<string, unknown>, status = 400) => {
      const res = await call(t.app, dpo, 'POST', '/api/data-protection/requests', {
        kind: 'subject_access',
        requester: 'X',
        relationship: 'self',
        channel: 'letter',
        receivedOn: today(),
        subjects: [pupil.id],
        ...body,
      });
      expect(res.statusCode, res.body).toBe(status);
      return res.json<{ error: { message: string } }>().error.message;
    };
    expect(await bad({ receivedOn: undefined })).toMatch(/receivedOn/);
    expect(await bad({ receivedOn: addDays(today(), 3) })).toMatch(/future/);
    expect(await bad({ subjects: [other.id] })).toMatch(/not a pupil of this school/);
    expect(await bad({ identityVerifiedOn: addDays(today(), 1) })).toMatch(/in the future/);
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM dp_requests WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(n!.n).toBe(0);
  });

  it("is another school's DPO's to neither read nor change (404), nor name its pupils", async () => {
    const { pupil, dpo } = await school();
    const id = await record(dpo, { subjects: [pupil.id] });
    const other = await school();
    for (const [method, url, body] of [
      ['GET', `/api/data-protection/requests/${id}`, undefined],
      ['PATCH', `/api/data-protection/requests/${id}`, { identityVerifiedOn: today() }],
      ['POST', `/api/data-protection/requests/${id}/child-voice`, { competence: 'x', views: 'y' }],
      ['POST', `/api/data-protection/requests/${id}/close`, { outcome: 'withdrawn', note: 'x' }],
    ] as const) {
      const res = await call(t.app, other.dpo, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const named = await call(t.app, other.dpo, 'POST', '/api/data-protection/requests', {
      kind: 'erasure',
      requester: 'X',
      relationship: 'self',
      channel: 'letter',
      receivedOn: today(),
      subjects: [pupil.id],
    });
    expect(named.statusCode).toBe(400);
  });

  it('may be granted to the headteacher by the school', async () => {
    const { schoolId, pupil, dpo, as } = await school();
    await record(dpo, { subjects: [pupil.id] });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE staff_groups SET capabilities = capabilities || ARRAY['data_protection']
         WHERE school_id = $1 AND key = 'headteacher'`,
        [schoolId],
      ),
    );
    const head = await as('headteacher');
    const list = await call(t.app, head, 'GET', '/api/data-protection/requests');
    expect(list.statusCode).toBe(200);
    expect(list.json<RequestList>().items).toHaveLength(1);
  });
});
