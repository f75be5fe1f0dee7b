// The review queue (issue 15): the nightly sweep queues a record 30 days before its date, once;
// a record with a pupil of unknown birth date never. Destroying a child-protection record needs
// a DSL-team approval and a headteacher-or-DPO approval by different people; the same person
// twice, an approval that is not the one still needed, a held record and an extension without a
// reason are each refused with a clear message, change nothing, and are audited. A record kept or
// held is not queued again until its new date comes or its hold is lifted.
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
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { Review, ReviewList } from '../../shared/schemas/retention.ts';
import { runRetentionSweep } from '../../jobs/retention-sweep.ts';
import { addYears } from './rules.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

async function setBirth(pupilId: string, date: string | null) {
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE pupils SET date_of_birth = $2 WHERE id = $1', [pupilId, date]),
  );
}

async function scene() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'deputy_dsl' | 'headteacher' | 'teacher') =>
    signIn(t.app, await makeUser(t.services, schoolId, role, `Staff ${role}`), {
      elevated: true,
    });
  const [dpo, dsl, deputy, head, teacher] = [
    await as('dpo'),
    await as('dsl'),
    await as('deputy_dsl'),
    await as('headteacher'),
    await as('teacher'),
  ];
  const now = t.services.clock.now();
  // Ava turns 25 in ten days: her records are due for review then, so queued now.
  const avaBirth = addYears(isoDay(new Date(now.getTime() + 10 * DAY)), -25);
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava' });
  const ben = await makePupil(t.services, schoolId, { firstName: 'Ben' });
  const cal = await makePupil(t.services, schoolId, { firstName: 'Cal' });
  await setBirth(ava.id, avaBirth);
  await setBirth(ben.id, '2010-05-14');
  await setBirth(cal.id, null);
  const cats = await categoryIds(t.services, schoolId);
  const cat = (name: string) => cats.find((c) => c.name === name)!.id;
  const log = async (pupilIds: string[], category: string) => {
    const res = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: pupilIds.map((pupilId) => ({ pupilId, role: 'subject' })),
      categoryIds: [cat(category)],
      happenedAt: new Date(now.getTime() - DAY).toISOString(),
      body: 'Seen crying at break.',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const concerns = {
    bullying: await log([ava.id], 'Bullying'),
    abuse: await log([ava.id], 'Sexual abuse'),
    neglect: await log([ava.id], 'Neglect'),
    notYet: await log([ben.id], 'Bullying'),
    unknownBirth: await log([ava.id, cal.id], 'Bullying'),
  };
  return { schoolId, dpo, dsl, deputy, head, teacher, now, avaBirth, ava, concerns };
}

const refusals = async (schoolId: string) =>
  (await auditRows(t, schoolId))
    .filter((r) => r.action === 'retention.refused')
    .map((r) => r.details.code);

describe('the retention review queue', () => {
  it('queues due records once, decides them with two approvers, and refuses what it must', async () => {
    const s = await scene();
    const sweep = (at: Date) => runRetentionSweep(t.services, at, [s.schoolId]);
    expect(await sweep(s.now)).toBe(3);
    expect(await sweep(s.now)).toBe(0); // once a day
    const queue = async () =>
      (await call(t.app, s.dpo, 'GET', '/api/retention/reviews')).json<ReviewList>().items;
    const items = await queue();
    const byConcern = (id: string) => items.find((r) => r.concernId === id);
    expect(items.map((r) => r.concernId).sort()).toEqual(
      [s.concerns.bullying, s.concerns.abuse, s.concerns.neglect].sort(),
    );
    const bullying = byConcern(s.concerns.bullying)!;
    expect(bullying).toMatchObject({
      kind: 'cp_pupil',
      action: 'review',
      status: 'pending',
      dueOn: addYears(s.avaBirth, 25),
      pupils: [s.ava.name],
      categories: ['Bullying'],
      holds: [],
      allowed: ['approve', 'keep', 'hold'],
    });
    expect(JSON.stringify(items)).not.toContain('Seen crying');
    // The sexual-abuse record shows its standing hold, and offers no approval.
    const abuse = byConcern(s.concerns.abuse)!;
    expect(abuse.holds).toEqual([
      expect.objectContaining({ matter: 'public_inquiry', placedBy: null }),
    ]);
    expect(abuse.allowed).toEqual(['keep', 'hold']);

    const approve = (who: typeof s.dpo, r: Review) =>
      call(t.app, who, 'POST', `/api/retention/reviews/${r.id}/approve`);
    // The DPO first, then the DPO again, then the headteacher: refused; then the DSL completes.
    const first = await approve(s.dpo, bullying);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ complete: false });
    const twice = await approve(s.dpo, bullying);
    expect(twice.statusCode).toBe(409);
    expect(errorOf(twice).code).toBe('same_approver');
    const head = await approve(s.head, bullying);
    expect(head.statusCode).toBe(403);
    expect(errorOf(head).message).toMatch(/DSL team/);
    const dsl = await approve(s.dsl, bullying);
    expect(dsl.json()).toEqual({ complete: true });
    const approved = (await queue()).find((r) => r.id === bullying.id)!;
    expect(approved.status).toBe('approved');
    expect(approved.approvals.map((a) => a.capacity)).toEqual(['dpo', 'dsl_team']);
    expect(approved.allowed).toEqual(['destroy', 'keep', 'hold']);
    expect((await approve(s.deputy, bullying)).statusCode).toBe(409);

    // A held record cannot be approved: the refusal names the hold and who placed it.
    const held = await approve(s.dsl, abuse);
    expect(held.statusCode).toBe(409);
    expect(errorOf(held)).toMatchObject({ code: 'held' });
    expect(errorOf(held).message).toMatch(/legal hold \(public inquiry, placed by Lantern/);

    // Keep: a reason is required; then kept for two years.
    const keep = (body: object) =>
      call(t.app, s.dsl, 'POST', `/api/retention/reviews/${abuse.id}/keep`, body);
    const later = addYears(isoDay(s.now), 2);
    const noReason = await keep({ until: later });
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).message).toMatch(/"reason"/);
    expect((await keep({ until: later, reason: '  ' })).statusCode).toBe(400);
    const past = await keep({ until: isoDay(s.now), reason: 'Inquiry ongoing' });
    expect(errorOf(past).message).toMatch(/"until" must be a date after today/);
    expect((await queue()).find((r) => r.id === abuse.id)?.status).toBe('pending');
    const kept = await keep({ until: later, reason: 'Inquiry ongoing; review again then.' });
    expect(kept.statusCode, kept.body).toBe(200);

    // Hold: the record gets a hold of its own, placed by the decider.
    const neglect = byConcern(s.concerns.neglect)!;
    const hold = await call(t.app, s.dpo, 'POST', `/api/retention/reviews/${neglect.id}/hold`, {
      matter: 'police',
      reason: 'Police asked us to keep it (ref. in the DPO file).',
    });
    expect(hold.statusCode, hold.body).toBe(201);
    const holdId = hold.json<{ id: string }>().id;
    expect((await queue()).map((r) => r.id)).toEqual([bullying.id]);

    expect(await refusals(s.schoolId)).toEqual([
      'same_approver',
      'not_the_approver_needed',
      'conflict',
      'held',
      'reason_required',
      'reason_required',
      'bad_date',
    ]);
    const actions = (await auditRows(t, s.schoolId)).map((r) => r.action);
    expect(actions.filter((a) => a === 'retention.destruction_approved')).toHaveLength(2);
    expect(actions).toContain('retention.review_kept');
    expect(actions).toContain('retention.review_held');
    expect(actions).toContain('retention.queued');
    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ keep_reason: Buffer }>('SELECT keep_reason FROM retention_reviews WHERE id = $1', [
        abuse.id,
      ]),
    );
    expect(stored[0]!.keep_reason.toString('latin1')).not.toContain('Inquiry ongoing');

    // The next day nothing comes back; once the hold is lifted, the held record does.
    const tomorrow = new Date(s.now.getTime() + DAY);
    expect(await sweep(tomorrow)).toBe(0);
    const lifted = await call(t.app, s.dpo, 'POST', `/api/retention/holds/${holdId}/lift`, {
      reason: 'Police closed their enquiry.',
    });
    expect(lifted.statusCode).toBe(200);
    expect(await sweep(new Date(s.now.getTime() + 2 * DAY))).toBe(1);
    expect((await queue()).map((r) => r.concernId).sort()).toEqual(
      [s.concerns.bullying, s.concerns.neglect].sort(),
    );
  });

  it('is for the retention deciders of the school only', async () => {
    const s = await scene();
    await runRetentionSweep(t.services, s.now, [s.schoolId]);
    const [review] = (await call(t.app, s.dpo, 'GET', '/api/retention/reviews')).json<ReviewList>()
      .items;
    expect((await call(t.app, s.teacher, 'GET', '/api/retention/reviews')).statusCode).toBe(403);
    const denied = await call(
      t.app,
      s.teacher,
      'POST',
      `/api/retention/reviews/${review!.id}/approve`,
    );
    expect(denied.statusCode).toBe(403);
    const other = await scene();
    const theirs = await call(
      t.app,
      other.dsl,
      'POST',
      `/api/retention/reviews/${review!.id}/approve`,
    );
    expect(theirs.statusCode).toBe(404);
    const body = { until: addYears(isoDay(s.now), 1), reason: 'x' };
    const keep = await call(
      t.app,
      other.dsl,
      'POST',
      `/api/retention/reviews/${review!.id}/keep`,
      body,
    );
    expect(keep.statusCode).toBe(404);
  });
});
