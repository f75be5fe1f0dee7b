// The breach register over HTTP (issue 17): a breach needs the time the school became aware; the
// 72 hours count weekends; an entry or report after them needs its reason; ICO updates are phased;
// closing needs the risk and both decisions; and a broken audit chain drafts a breach for the DPO,
// once, with an alert. Due and overdue rights requests alert the DPO once each.
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
import type { BreachDetail, BreachList } from '../../../shared/schemas/data-protection.ts';
import { runAuditCheck, runRequestAlerts } from '../../../jobs/data-protection.ts';
import { addDays } from '../../../shared/calendar.ts';
import { todayInEngland } from '../requests/load.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const dpoUser = await makeUser(t.services, schoolId, 'dpo');
  const dpo = await signIn(t.app, dpoUser, { elevated: true });
  return { schoolId, dpo, dpoUser };
}
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const record = (s: Session, body: Record<string, unknown>) =>
  call(t.app, s, 'POST', '/api/data-protection/breaches', {
    howAware: 'A teacher emailed a class list to the wrong parent',
    types: ['confidentiality'],
    ...body,
  });
const detail = async (s: Session, id: string) =>
  (await call(t.app, s, 'GET', `/api/data-protection/breaches/${id}`)).json<BreachDetail>();
const message = (res: { json<T>(): T }) => res.json<{ error: { message: string } }>().error.message;

describe('the breach register', () => {
  it('refuses a breach with no became-aware time, and a late one without its reason', async () => {
    const { schoolId, dpo } = await school();
    const none = await record(dpo, {});
    expect(none.statusCode).toBe(400);
    expect(message(none)).toMatch(/became aware/);
    const late = await record(dpo, { becameAwareAt: hoursAgo(80) });
    expect(late.statusCode).toBe(400);
    expect(message(late)).toMatch(/more than 72 hours.*reason/);
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM dp_breaches WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(n!.n).toBe(0);
    const given = await record(dpo, { becameAwareAt: hoursAgo(80), lateReason: 'Found on return' });
    expect(given.statusCode, given.body).toBe(201);
    const list = (
      await call(t.app, dpo, 'GET', '/api/data-protection/breaches')
    ).json<BreachList>();
    expect(list.items).toEqual([expect.objectContaining({ overdue: true, status: 'open' })]);
  });

  it('runs the 72 hours from awareness, takes phased ICO updates, and closes once decided', async () => {
    const { schoolId, dpo } = await school();
    const aware = hoursAgo(2);
    const made = await record(dpo, { becameAwareAt: aware, peopleApprox: 30, recordsApprox: 30 });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json<{ id: string }>().id;
    const d = await detail(dpo, id);
    expect(new Date(d.icoDueAt).getTime() - new Date(aware).getTime()).toBe(72 * 3_600_000);
    expect(d).toMatchObject({
      overdue: false,
      peopleApprox: 30,
      allowed: ['edit', 'ico_update', 'close'],
    });
    const patch = (body: unknown) =>
      call(t.app, dpo, 'PATCH', `/api/data-protection/breaches/${id}`, body);
    expect(message(await patch({ icoDecision: 'report' }))).toMatch(/reasons/);
    expect(
      (
        await patch({
          risk: 'risk',
          riskAssessment: 'Names and classes only',
          icoDecision: 'report',
          icoReasons: 'Risk to the children',
          icoReportedAt: new Date().toISOString(),
          icoReference: 'ICO-123',
          containment: 'Recalled the email',
          otherBodies: ['local_authority'],
        })
      ).statusCode,
    ).toBe(200);
    const close = (lessons: string) =>
      call(t.app, dpo, 'POST', `/api/data-protection/breaches/${id}/close`, { lessons });
    expect(message(await close('Check recipients'))).toMatch(/people affected/);
    for (const summary of ['First report', 'Containment confirmed']) {
      const u = await call(t.app, dpo, 'POST', `/api/data-protection/breaches/${id}/ico-updates`, {
        sentOn: todayInEngland(new Date()),
        summary,
      });
      expect(u.statusCode, u.body).toBe(201);
    }
    expect((await patch({ peopleDecision: 'told', peopleReasons: 'High risk' })).statusCode).toBe(
      200,
    );
    expect((await close('Check recipients')).statusCode).toBe(200);
    const closed = await detail(dpo, id);
    expect(closed).toMatchObject({ status: 'closed', lessons: 'Check recipients', allowed: [] });
    expect(closed.updates.map((u) => [u.phase, u.summary])).toEqual([
      [1, 'First report'],
      [2, 'Containment confirmed'],
    ]);
    const actions = (await auditRows(t, schoolId)).map((r) => r.action);
    expect(actions).toContain('dp.breach_ico_update');
    expect(actions).toContain('dp.breach_closed');
  });

  it("is another school's DPO's to neither read nor change (404)", async () => {
    const { dpo } = await school();
    const made = await record(dpo, { becameAwareAt: hoursAgo(1) });
    const id = made.json<{ id: string }>().id;
    const other = await school();
    const url = `/api/data-protection/breaches/${id}`;
    expect((await call(t.app, other.dpo, 'GET', url)).statusCode).toBe(404);
    expect((await call(t.app, other.dpo, 'PATCH', url, { risk: 'risk' })).statusCode).toBe(404);
    const closing = await call(t.app, other.dpo, 'POST', `${url}/close`, { lessons: 'x' });
    expect(closing.statusCode).toBe(404);
  });

  it('is drafted by Lantern, once, when the audit chain fails verification', async () => {
    const { schoolId, dpo, dpoUser } = await school();
    await makePupil(t.services, schoolId);
    await call(t.app, dpo, 'GET', '/api/data-protection/breaches');
    await call(t.app, dpo, 'GET', '/api/data-protection/breaches');
    expect(await runAuditCheck(t.services, new Date(), [schoolId])).toEqual([]);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE audit_events SET actor_label = 'someone else' WHERE school_id = $1 AND seq = 1`,
        [schoolId],
      ),
    );
    const [draft] = await runAuditCheck(t.services, new Date(), [schoolId]);
    expect(draft).toBeDefined();
    expect(await runAuditCheck(t.services, new Date(), [schoolId])).toEqual([]);
    const d = await detail(dpo, draft!);
    expect(d).toMatchObject({ status: 'draft', source: 'audit_verify', types: ['integrity'] });
    const alerts = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ kind: string }>('SELECT kind FROM alerts WHERE recipient_id = $1', [dpoUser.id]),
    );
    expect(alerts.map((a) => a.kind)).toEqual(['dp_breach_drafted']);
    // The DPO confirms the draft; the same break found again next night drafts nothing more.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE dp_breaches SET status = 'open' WHERE id = $1`, [draft]),
    );
    expect(await runAuditCheck(t.services, new Date(), [schoolId])).toEqual([]);
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM dp_breaches WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(n!.n).toBe(1);
    const after = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ kind: string }>('SELECT kind FROM alerts WHERE recipient_id = $1', [dpoUser.id]),
    );
    expect(after).toHaveLength(1);
  });
});

describe("the DPO's alerts", () => {
  it('alerts due and overdue requests once each', async () => {
    const { schoolId, dpo, dpoUser } = await school();
    const pupil = await makePupil(t.services, schoolId);
    const today = todayInEngland(new Date());
    const recordOn = async (receivedOn: string) => {
      const res = await call(t.app, dpo, 'POST', '/api/data-protection/requests', {
        kind: 'subject_access',
        requester: 'R',
        relationship: 'self',
        channel: 'email',
        receivedOn,
        subjects: [pupil.id],
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await recordOn(addDays(today, -40)); // overdue
    await recordOn(addDays(today, -27)); // due within the week
    await recordOn(today); // not yet
    const now = new Date();
    await runRequestAlerts(t.services, now, [schoolId]);
    await runRequestAlerts(t.services, now, [schoolId]);
    const alerts = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ kind: string }>('SELECT kind FROM alerts WHERE recipient_id = $1 ORDER BY kind', [
        dpoUser.id,
      ]),
    );
    expect(alerts.map((a) => a.kind)).toEqual(['dp_request_due', 'dp_request_overdue']);
    const dash = await call(t.app, dpo, 'GET', '/api/alerts');
    expect(dash.statusCode, dash.body).toBe(200);
  });
});
