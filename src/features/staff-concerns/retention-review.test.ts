// Finishing issue 19 over HTTP, on both engines: retention acted on inside the area (the nightly
// sweep marks matters due by the three staff rules — a low-level concern once the member has left,
// by the MIS's date or one a case manager recorded; a false allegation at its finding — and each is
// kept with a reason and a new date, or destroyed by two of its case managers, leaving a tombstone
// and an entry in the area's trail, and never seen by the person it names or the school-wide
// queue); the pupil picker's own look-up, for the chair too, and linked pupils that say whether the
// reader may open them; and the LADO warning as a school setting, used by the minute job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { verifyAudit } from '../../platform/audit/verify.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import { runLadoAlerts, runStaffMatterSweep } from '../../jobs/staff-concerns.ts';
import { runRetentionSweep } from '../../jobs/retention-sweep.ts';
import { areaSchool, joinHeadsGroup, type AreaSchool } from './staff-concerns-test-kit.ts';
import type { AlertList } from '../../shared/schemas/alerts.ts';
import type { PupilList } from '../../shared/schemas/pupils.ts';
import type { ReviewList } from '../../shared/schemas/retention.ts';
import type {
  AuditList,
  Matter,
  Receipt,
  StaffConcernSettings,
  StaffRetentionReview,
} from '../../shared/schemas/staff-concerns.ts';

let t: TestApp;
const clock = testClock();
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', {
    timeZone: 'Europe/London',
  });

async function raise(s: Session, body: Record<string, unknown>): Promise<string> {
  const res = await call(t.app, s, 'POST', '/api/staff-concerns', {
    whatHappened: 'Kept a pupil behind alone after the bell.',
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Receipt>().id;
}
const aboutMember = (s: Session, subjectUserId: string) =>
  raise(s, { subjectKind: 'staff', subjectUserId });
async function triage(s: Session, id: string, classification: string, theme?: string) {
  const res = await call(t.app, s, 'POST', `/api/staff-concerns/${id}/triage`, {
    classification,
    rationale: 'Considered.',
    ...(theme !== undefined && { theme }),
  });
  expect(res.statusCode, res.body).toBe(200);
}
const review = async (s: Session) => {
  const res = await call(t.app, s, 'GET', '/api/staff-concerns/retention');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<StaffRetentionReview>();
};
const sweep = (sc: AreaSchool, at = new Date()) =>
  runStaffMatterSweep(t.services, at, [sc.schoolId]);
/** The member leaves, as the MIS says: their MIS record is marked left. */
const leavesByMis = (sc: AreaSchool, userId: string, at: string) =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO mis_staff (school_id, mis_id, user_id, first_name, last_name, left_at)
       VALUES ($1, $2, $3, 'Mis', 'Record', $4)`,
      [sc.schoolId, `mis-${userId}`, userId, at],
    ),
  );
const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));

describe("the area's retention review", () => {
  it('marks a low-level concern due once its member has left, for its case managers only', async () => {
    const sc = await areaSchool(t);
    const dsl = await sc.member('dsl', 'Dee DSL');
    // The subject is an acting co-head: a case manager of the area, yet never of this matter.
    const subject = await sc.member('teacher', 'Alex Accused');
    await joinHeadsGroup(t, sc.schoolId, subject.user.id);
    const id = await aboutMember(sc.teacher.s, subject.user.id);
    await triage(sc.head.s, id, 'low_level', 'Other');

    // Still at the school: nothing is due, and the matter says when it would be.
    expect(await sweep(sc)).toBe(0);
    expect((await review(sc.head.s)).items).toEqual([]);
    const before = await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`);
    expect(before.json<Matter>().retention).toMatchObject({ kind: 'staff_low_level', dueOn: null });

    // The MIS says they left in July 2025; the school's period for low-level concerns is 0 years.
    await leavesByMis(sc, subject.user.id, '2025-07-20T10:00:00Z');
    const read = await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`);
    expect(read.json<Matter>().retention?.dueOn).toBe('2025-07-20');
    // Swept today already: the next run waits for tomorrow.
    expect(await sweep(sc)).toBe(0);
    expect(await sweep(sc, new Date(Date.now() + 86_400_000))).toBe(1);
    expect(await sweep(sc, new Date(Date.now() + 86_400_000))).toBe(0);

    const list = await review(sc.head.s);
    expect(list.items).toEqual([
      expect.objectContaining({
        matterId: id,
        subjectName: 'Alex Accused',
        kind: 'staff_low_level',
        dueOn: '2025-07-20',
        approvals: [],
        allowed: ['approve', 'keep'],
      }),
    ]);
    expect(list.items[0]!.rule).toMatch(/until the member leaves/);
    // The person named, though a case manager of the area, and the chair: nothing. Others: 403.
    expect((await review(subject.s)).items).toEqual([]);
    expect((await review(sc.chair.s)).items).toEqual([]);
    for (const s of [dsl.s, sc.teacher.s])
      expect((await call(t.app, s, 'GET', '/api/staff-concerns/retention')).statusCode).toBe(403);
    // Not in the school-wide queue, whose reviewers would learn that the matter exists.
    await runRetentionSweep(t.services, new Date(), [sc.schoolId]);
    const queue = await call(t.app, dsl.s, 'GET', '/api/retention/reviews');
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json<ReviewList>().items).toEqual([]);
    expect(queue.body).not.toContain(id);
    // Marked in the area's trail against the matter; viewing it is audited.
    const audited = await auditRows(t, sc.schoolId);
    const marked = audited.find((a) => a.action === 'staff_concerns.retention_due');
    expect(marked?.target_id).toBe(id);
    expect(marked?.details).toMatchObject({ kind: 'staff_low_level', dueOn: '2025-07-20' });
    expect(audited.map((a) => a.action)).toContain('staff_concerns.retention_viewed');
  });

  it('counts a volunteer’s low-level concern from the leaving date a case manager records', async () => {
    const sc = await areaSchool(t);
    const id = await raise(sc.teacher.s, {
      subjectKind: 'volunteer',
      subjectName: 'Val Volunteer',
    });
    await triage(sc.head.s, id, 'not_a_concern');
    const leave = (s: Session, leftOn: string) =>
      call(t.app, s, 'POST', `/api/staff-concerns/${id}/left-on`, { leftOn });
    const future = await leave(sc.head.s, day(2));
    expect(future.statusCode).toBe(400);
    expect(errorOf(future).message).toBe('The leaving date cannot be in the future.');
    expect((await leave(sc.chair.s, '2025-09-01')).statusCode).toBe(404);
    expect((await leave(sc.teacher.s, '2025-09-01')).statusCode).toBe(403);
    const [untouched] = await owner<{ subject_left_on: string | null }>(
      'SELECT subject_left_on::text FROM staff_concerns WHERE id = $1',
      [id],
    );
    expect(untouched?.subject_left_on).toBeNull();

    const ok = await leave(sc.head.s, '2025-09-01');
    expect(ok.statusCode, ok.body).toBe(200);
    const m = (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`)).json<Matter>();
    expect(m.subjectLeftOn).toBe('2025-09-01');
    expect(m.retention).toMatchObject({ kind: 'staff_low_level', dueOn: '2025-09-01' });
    expect(m.allowed).toContain('record_leaving');
    expect(await sweep(sc)).toBe(1);
    expect((await review(sc.head.s)).items.map((i) => i.matterId)).toEqual([id]);
    expect(await auditRows(t, sc.schoolId)).toContainEqual(
      expect.objectContaining({
        action: 'staff_concerns.leaving_recorded',
        target_id: id,
        details: { leftOn: '2025-09-01' },
      }),
    );
  });

  it('refuses a leaving date, and counts none recorded, while the MIS says the member still works here', async () => {
    const sc = await areaSchool(t);
    const subject = await sc.member('teacher', 'Sam Stillhere');
    const id = await aboutMember(sc.teacher.s, subject.user.id);
    await triage(sc.head.s, id, 'low_level', 'Other');
    // Recorded while the MIS had no record of them (a new starter the MIS had not caught up with).
    const first = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/left-on`, {
      leftOn: '2025-03-01',
    });
    expect(first.statusCode, first.body).toBe(200);
    // Then the MIS lists them, still employed (an earlier spell there marked left long ago).
    await owner(
      `INSERT INTO mis_staff (school_id, mis_id, user_id, first_name, last_name, left_at)
       VALUES ($1, $2, $3, 'Mis', 'Record', NULL), ($1, $4, $3, 'Mis', 'Record', '2024-07-20T10:00:00Z')`,
      [sc.schoolId, `mis-${subject.user.id}`, subject.user.id, `old-${subject.user.id}`],
    );
    const read = await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`);
    expect(read.json<Matter>().retention).toMatchObject({ kind: 'staff_low_level', dueOn: null });
    expect(await sweep(sc, new Date(Date.now() + 86_400_000))).toBe(0);
    expect((await review(sc.head.s)).items).toEqual([]);

    const refused = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/left-on`, {
      leftOn: '2025-09-01',
    });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toMatch(/MIS says this person still works here/);
    const [kept] = await owner<{ subject_left_on: string | null }>(
      'SELECT subject_left_on::text FROM staff_concerns WHERE id = $1',
      [id],
    );
    expect(kept?.subject_left_on).toBe('2025-03-01');

    // Once the MIS marks them left, the later of its date and the recorded one counts.
    await owner(`UPDATE mis_staff SET left_at = '2025-01-10T10:00:00Z' WHERE mis_id = $1`, [
      `mis-${subject.user.id}`,
    ]);
    const after = await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`);
    expect(after.json<Matter>().retention?.dueOn).toBe('2025-03-01');
  });

  it('keeps a matter with a reason until a new date, refusing bad input, and brings it back then', async () => {
    const sc = await areaSchool(t);
    const id = await raise(sc.teacher.s, {
      subjectKind: 'contractor',
      subjectName: 'Colm Contractor',
    });
    await triage(sc.head.s, id, 'low_level');
    await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/left-on`, {
      leftOn: '2025-01-10',
    });
    await sweep(sc);
    const [item] = (await review(sc.head.s)).items;
    const keep = (s: Session, body: Record<string, unknown>) =>
      call(t.app, s, 'POST', `/api/staff-concerns/retention/${item!.id}/keep`, body);
    const until = day(30);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ reason: '   ', until }, 400, 'Say why the matter is kept past its date.'],
      [{ reason: 'Asked', until: day(0) }, 400, 'The new review date must be after today.'],
      [{ reason: 'Asked', until: '2200-01-01' }, 400, 'more than 100 years'],
    ];
    for (const [body, status, message] of cases) {
      const res = await keep(sc.head.s, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(errorOf(res).message).toContain(message);
    }
    expect((await keep(sc.chair.s, { reason: 'Asked', until })).statusCode).toBe(404);
    expect((await keep(sc.teacher.s, { reason: 'Asked', until })).statusCode).toBe(403);
    const [waiting] = await owner<{ status: string }>(
      'SELECT status FROM staff_concern_reviews WHERE id = $1',
      [item!.id],
    );
    expect(waiting?.status).toBe('pending');

    const kept = await keep(sc.head.s, { reason: 'Police enquiry still open', until });
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await keep(sc.head.s, { reason: 'Again', until })).statusCode).toBe(409);
    expect((await review(sc.head.s)).items).toEqual([]);
    // The reason is sealed at rest.
    const [row] = await owner<{ keep_reason: Buffer; kept_until: string }>(
      'SELECT keep_reason, kept_until::text FROM staff_concern_reviews WHERE id = $1',
      [item!.id],
    );
    expect(row?.kept_until).toBe(until);
    expect(row?.keep_reason.toString('latin1')).not.toContain('Police');
    expect(await auditRows(t, sc.schoolId)).toContainEqual(
      expect.objectContaining({
        action: 'staff_concerns.retention_kept',
        target_id: id,
        details: { review: item!.id, until },
      }),
    );
    // Back on its new date, not before.
    const at = (offset: number) => new Date(Date.now() + offset * 86_400_000);
    expect(await sweep(sc, at(29))).toBe(0);
    expect(await sweep(sc, at(31))).toBe(1);
    expect((await review(sc.head.s)).items).toEqual([
      expect.objectContaining({ matterId: id, dueOn: until }),
    ]);
  });

  it('destroys a false allegation on two case managers’ approvals, leaving a tombstone', async () => {
    const sc = await areaSchool(t);
    const coHead = await sc.member('teacher', 'Cleo CoHead');
    await joinHeadsGroup(t, sc.schoolId, coHead.user.id);
    // The subject, a co-head too: they never see their matter, nor what is left of it.
    const subject = await sc.member('teacher', 'Alex Accused');
    await joinHeadsGroup(t, sc.schoolId, subject.user.id);
    const pupil = await makePupil(t.services, sc.schoolId, { firstName: 'Pia', lastName: 'Pupil' });
    const id = await aboutMember(sc.teacher.s, subject.user.id);
    await triage(sc.head.s, id, 'possibly_meets_threshold');
    const url = `/api/staff-concerns/${id}`;
    const lado = await call(t.app, sc.head.s, 'POST', `${url}/lado-contacts`, {
      officer: 'Lou LADO',
      contactedAt: new Date(Date.now() - 3_600_000).toISOString(),
      advice: 'Investigate.',
    });
    expect(lado.statusCode, lado.body).toBe(201);
    const linked = await call(t.app, sc.head.s, 'POST', `${url}/pupils`, { pupilId: pupil.id });
    expect(linked.statusCode, linked.body).toBe(200);
    // KCSIE: a false allegation is removed from the member's file, as a malicious one is.
    const found = await call(t.app, sc.head.s, 'POST', `${url}/outcome`, { outcome: 'false' });
    expect(found.statusCode, found.body).toBe(200);
    const m = (await call(t.app, sc.head.s, 'GET', url)).json<Matter>();
    expect(m.retention).toMatchObject({ kind: 'staff_allegation_malicious', dueOn: day(0) });
    expect(await sweep(sc)).toBe(1);
    const [item] = (await review(sc.head.s)).items;
    expect(item).toMatchObject({ matterId: id, kind: 'staff_allegation_malicious' });

    const approve = (s: Session) =>
      call(t.app, s, 'POST', `/api/staff-concerns/retention/${item!.id}/approve`);
    expect((await approve(subject.s)).statusCode).toBe(404);
    expect((await approve(sc.chair.s)).statusCode).toBe(404);
    expect((await approve(sc.teacher.s)).statusCode).toBe(403);
    const first = await approve(sc.head.s);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ destroyed: false });
    const again = await approve(sc.head.s);
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('same_approver');
    expect((await review(sc.head.s)).items[0]).toMatchObject({
      approvals: [expect.objectContaining({ name: 'Hana Head' })],
      allowed: ['keep'],
    });
    expect((await review(coHead.s)).items[0]!.allowed).toEqual(['destroy', 'keep']);
    // The matter stands until the second approval.
    expect((await call(t.app, sc.head.s, 'GET', url)).statusCode).toBe(200);

    // The database's own wall: one approval is not enough, even called directly.
    await expect(
      inSchool(t.services.db, sc.schoolId, (q) =>
        q.query('SELECT lantern_destroy_staff_matter($1, $2, now())', [item!.id, sc.head.user.id]),
      ),
    ).rejects.toThrow(/two approvals/);
    await expect(
      inSchool(t.services.db, sc.schoolId, (q) =>
        q.query('DELETE FROM staff_concerns WHERE id = $1', [id]),
      ),
    ).rejects.toThrow(/permission denied/);
    // Nor by someone who did not approve it, though two others did and the tombstone names them.
    await expect(
      inSchool(t.services.db, sc.schoolId, async (q) => {
        await q.query(
          `INSERT INTO staff_concern_review_approvals (school_id, review_id, approver_id, capacity,
             approved_at) VALUES ($1, $2, $3, 'case_manager', now())`,
          [sc.schoolId, item!.id, coHead.user.id],
        );
        await q.query(
          `INSERT INTO staff_concern_tombstones (school_id, staff_concern_id, review_id, routed_to,
             kind, rule_trigger, rule_years, due_on, destroyed_at, destroyed_by)
           VALUES ($1, $2, $3, 'headteacher', 'staff_allegation_malicious', 'finding', 0,
             current_date, now(), $4)`,
          [sc.schoolId, id, item!.id, sc.teacher.user.id],
        );
        await q.query('SELECT lantern_destroy_staff_matter($1, $2, now())', [
          item!.id,
          sc.teacher.user.id,
        ]);
      }),
    ).rejects.toThrow(/one by the destroyer/);

    const second = await approve(coHead.s);
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toEqual({ destroyed: true });

    // Gone: the matter, its LADO record, its links, its alerts; the pupil stays.
    expect((await call(t.app, sc.head.s, 'GET', url)).statusCode).toBe(404);
    const left = await owner<{ what: string; n: number }>(
      `SELECT 'matter' AS what, count(*)::int AS n FROM staff_concerns WHERE id = $1
       UNION ALL SELECT 'lado', count(*)::int FROM staff_concern_lado_contacts
         WHERE staff_concern_id = $1
       UNION ALL SELECT 'pupils', count(*)::int FROM staff_concern_pupils WHERE staff_concern_id = $1
       UNION ALL SELECT 'alerts', count(*)::int FROM alerts WHERE target_id = $1
       UNION ALL SELECT 'pupil', count(*)::int FROM pupils WHERE id = $2`,
      [id, pupil.id],
    );
    expect(Object.fromEntries(left.map((r) => [r.what, r.n]))).toEqual({
      matter: 0,
      lado: 0,
      pupils: 0,
      alerts: 0,
      pupil: 1,
    });
    const [tomb] = await owner<Record<string, unknown>>(
      `SELECT kind, rule_trigger, rule_years, destroyed_by, subject_digest, routed_to, due_on::text
       FROM staff_concern_tombstones WHERE staff_concern_id = $1`,
      [id],
    );
    expect(tomb).toMatchObject({
      kind: 'staff_allegation_malicious',
      rule_trigger: 'finding',
      rule_years: 0,
      destroyed_by: coHead.user.id,
      routed_to: 'headteacher',
      due_on: day(0),
    });
    expect(String(tomb!.subject_digest)).not.toContain(subject.user.id);

    // What is left, for the case managers: when, by whom, under which rule; and the trail.
    const after = await review(sc.head.s);
    expect(after.items).toEqual([]);
    expect(after.destroyed).toEqual([
      expect.objectContaining({ matterId: id, destroyedBy: 'Cleo CoHead', dueOn: day(0) }),
    ]);
    const trail = await call(t.app, sc.head.s, 'GET', '/api/staff-concerns/audit');
    expect(trail.json<AuditList>().items).toContainEqual(
      expect.objectContaining({
        action: 'staff_concerns.destroyed',
        matterId: id,
        destroyed: true,
      }),
    );
    // The person it named: nothing, in the review or the trail.
    const theirs = await review(subject.s);
    expect(theirs.destroyed).toEqual([]);
    const theirTrail = await call(t.app, subject.s, 'GET', '/api/staff-concerns/audit');
    expect(theirTrail.body).not.toContain(id);
    const destroyed = (await auditRows(t, sc.schoolId)).find(
      (a) => a.action === 'staff_concerns.destroyed',
    );
    expect(destroyed?.target_id).toBe(id);
    expect(destroyed?.details).toMatchObject({
      review: item!.id,
      kind: 'staff_allegation_malicious',
    });
    // Both approvers (the test's clock stands still, so their order is not the point).
    expect((destroyed?.details.approvers as string[]).sort()).toEqual(
      [sc.head.user.id, coHead.user.id].sort(),
    );
    expect((await verifyAudit(t.services.db, sc.schoolId)).breaks).toEqual([]);
  });
});

describe('linking a pupil from the picker', () => {
  it('lets the chair find and link a pupil, and links only to pupils the reader may open', async () => {
    const sc = await areaSchool(t);
    const dsl = await sc.member('dsl', 'Dee DSL');
    const pupil = await makePupil(t.services, sc.schoolId, { firstName: 'Pia', lastName: 'Pupil' });
    const aboutHead = await aboutMember(sc.teacher.s, sc.head.user.id);
    const find = (s: Session, id = aboutHead, query = '') =>
      call(t.app, s, 'POST', `/api/staff-concerns/${id}/pupil-search${query}`, { q: 'Pia' });

    // The chair reads no pupils' records: the school's search refuses them, the matter's finds.
    expect(
      (await call(t.app, sc.chair.s, 'POST', '/api/pupils/search', { q: 'Pia' })).statusCode,
    ).toBe(403);
    const found = await find(sc.chair.s);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<PupilList>().items).toEqual([
      { id: pupil.id, name: 'Pia Pupil', yearGroup: 'Year 7', form: '7A' },
    ]);
    // The head it names: 404; those without the area: 403; a name in the URL: 400.
    expect((await find(sc.head.s)).statusCode).toBe(404);
    expect((await find(dsl.s)).statusCode).toBe(403);
    expect((await find(sc.teacher.s)).statusCode).toBe(403);
    expect((await find(sc.chair.s, aboutHead, '?q=Pia')).statusCode).toBe(400);
    expect(await auditRows(t, sc.schoolId)).toContainEqual(
      expect.objectContaining({
        action: 'staff_concerns.pupils_found',
        target_id: aboutHead,
        details: { results: [pupil.id] },
      }),
    );

    const link = await call(t.app, sc.chair.s, 'POST', `/api/staff-concerns/${aboutHead}/pupils`, {
      pupilId: pupil.id,
    });
    expect(link.statusCode, link.body).toBe(200);
    const asChair = await call(t.app, sc.chair.s, 'GET', `/api/staff-concerns/${aboutHead}`);
    expect(asChair.json<Matter>().pupils).toEqual([
      { id: pupil.id, name: 'Pia Pupil', canOpen: false },
    ]);
    // The head's own matter about a teacher, linked to the same pupil: the head may open them.
    const aboutTeacher = await aboutMember(sc.chair.s, sc.teacher.user.id);
    await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${aboutTeacher}/pupils`, {
      pupilId: pupil.id,
    });
    const asHead = await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${aboutTeacher}`);
    expect(asHead.json<Matter>().pupils).toEqual([
      { id: pupil.id, name: 'Pia Pupil', canOpen: true },
    ]);
    expect((await call(t.app, sc.head.s, 'GET', `/api/pupils/${pupil.id}`)).statusCode).toBe(200);
  });
});

describe("the LADO warning, the school's setting", () => {
  it('is bounded, audited, and used by the minute job', async () => {
    const sc = await areaSchool(t);
    const patch = (hours: number) =>
      call(t.app, sc.head.s, 'PATCH', '/api/staff-concerns/settings', { ladoWarnHours: hours });
    const read = await call(t.app, sc.head.s, 'GET', '/api/staff-concerns/settings');
    expect(read.json<StaffConcernSettings>().ladoWarnHours).toBe(6);
    for (const hours of [0, 25]) {
      const refused = await patch(hours);
      expect(refused.statusCode).toBe(400);
      expect(errorOf(refused).message).toBe(
        'Warn between 1 and 24 hours before the LADO deadline.',
      );
    }
    expect(
      (await auditRows(t, sc.schoolId)).filter(
        (a) => a.action === 'staff_concerns.settings_changed',
      ),
    ).toEqual([]);
    const ok = await patch(12);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<StaffConcernSettings>().ladoWarnHours).toBe(12);
    const [changed] = (await auditRows(t, sc.schoolId)).filter(
      (a) => a.action === 'staff_concerns.settings_changed',
    );
    expect(changed?.details).toMatchObject({ changed: ['ladoWarnHours'] });
    expect(String(changed?.details.before)).toContain('"ladoWarnHours":6');
    expect(String(changed?.details.after)).toContain('"ladoWarnHours":12');

    clock.set(new Date('2026-03-13T15:00:00Z')); // Fri 13 Mar 2026 15:00: due Mon 17:00
    try {
      const subject = await sc.member('teacher');
      const id = await aboutMember(sc.teacher.s, subject.user.id);
      await triage(sc.head.s, id, 'possibly_meets_threshold');
      const due = async () =>
        (await call(t.app, sc.head.s, 'GET', '/api/alerts'))
          .json<AlertList>()
          .items.filter((a) => a.kind === 'staff_concern_lado_due')
          .map((a) => a.targetId);
      const run = (at: string) => runLadoAlerts(t.services, new Date(at), [sc.schoolId]);
      await run('2026-03-16T04:00:00Z'); // thirteen hours before: nothing yet
      expect(await due()).toEqual([]);
      await run('2026-03-16T07:00:00Z'); // ten hours before: within the school's twelve
      expect(await due()).toEqual([id]);
    } finally {
      clock.set(new Date());
    }
  });
});
