// The retention schedule and legal holds over HTTP (issue 15): the DPO (and the DSL team and
// headteacher) see and change the schedule, each change audited; a negative, too short or absurd
// period is refused naming the field, nothing changed, the attempt audited. Holds are placed and
// lifted with reasons (sealed at rest), audited; the standing hold on sexual-abuse categories is
// there from the start and only the DPO lifts it; the holds cover the records they say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type { HoldList, RetentionSchedule } from '../../shared/schemas/retention.ts';
import { heldRecords } from './holds.ts';
import { verifyAudit } from '../../platform/audit/verify.ts';
import { inSchool } from '../../platform/db/tenancy.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'headteacher' | 'teacher' | 'school_admin') =>
    signIn(t.app, await makeUser(t.services, schoolId, role), { elevated: true });
  return { schoolId, dpo: await as('dpo'), dsl: await as('dsl'), as };
}
const events = async (schoolId: string, prefix: string) =>
  (await auditRows(t, schoolId)).filter((r) => r.action.startsWith(prefix));
const schedule = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/retention/schedule')).json<RetentionSchedule>();
const holds = async (s: Session, lifted = false) =>
  (
    await call(t.app, s, 'GET', `/api/retention/holds${lifted ? '?lifted=true' : ''}`)
  ).json<HoldList>();

describe('the retention schedule', () => {
  it('is seeded for English schools, with each rule, trigger and action', async () => {
    const { dpo } = await school();
    const view = await schedule(dpo);
    expect(view.allowed).toEqual(['edit']);
    const byKind = Object.fromEntries(view.rules.map((r) => [r.kind, r]));
    expect(byKind['cp_pupil']).toMatchObject({
      trigger: 'date_of_birth',
      years: 25,
      action: 'review',
      updatedAt: null,
    });
    expect(byKind['transferred_file']).toMatchObject({ transferKeeps: 'sealed_copy' });
    expect(byKind['staff_allegation']).toMatchObject({
      trigger: 'pension_age_or_allegation',
      years: 10,
      action: 'review',
    });
    expect(byKind['staff_allegation_malicious']).toMatchObject({
      action: 'anonymise',
      schoolSet: false,
    });
    expect(byKind['staff_low_level']).toMatchObject({ trigger: 'leaving', action: 'review' });
    expect(byKind['sar_breach']).toMatchObject({ trigger: 'closure', years: 6 });
    expect(byKind['mis_leaver']).toMatchObject({ trigger: 'leaving', years: 1, action: 'destroy' });
  });

  it('a change is audited with before and after, and applies for that school only', async () => {
    const { schoolId, dpo } = await school();
    const other = await school();
    const res = await call(t.app, dpo, 'PATCH', '/api/retention/schedule/mis_leaver', {
      years: 2,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'mis_leaver', years: 2, defaultYears: 1 });
    const kept = await call(t.app, dpo, 'PATCH', '/api/retention/schedule/transferred_file', {
      transferKeeps: 'chronology_only',
    });
    expect(kept.json()).toMatchObject({ transferKeeps: 'chronology_only', years: 25 });
    const [first, second] = await events(schoolId, 'retention.rule_changed');
    expect(first?.target_id).toBe('mis_leaver');
    expect(first?.details).toMatchObject({ kind: 'mis_leaver', changed: ['years'] });
    expect(JSON.parse(first!.details.before as string)).toMatchObject({ years: 1 });
    expect(JSON.parse(first!.details.after as string)).toMatchObject({ years: 2 });
    expect(second?.details).toMatchObject({ changed: ['transferKeeps'] });
    const theirs = await schedule(other.dpo);
    expect(theirs.rules.find((r) => r.kind === 'mis_leaver')?.years).toBe(1);
    // The same values again change nothing and write no entry.
    await call(t.app, dpo, 'PATCH', '/api/retention/schedule/mis_leaver', { years: 2 });
    expect(await events(schoolId, 'retention.rule_changed')).toHaveLength(2);
  });

  it('refuses a negative, too short or absurd period naming the field; nothing changes; audited', async () => {
    const { schoolId, dpo } = await school();
    const before = await schedule(dpo);
    for (const [kind, body, code, message] of [
      ['sar_breach', { years: -1 }, 'bad_period', /"years".*cannot be negative/],
      ['sar_breach', { years: 1000 }, 'bad_period', /"years".*longer than 100 years/],
      ['cp_pupil', { years: 18 }, 'bad_period', /"years".*25th birthday/],
      ['staff_allegation', { years: 5 }, 'bad_period', /"years".*at least 10 years/],
      ['staff_allegation_malicious', { years: 3 }, 'not_school_set', /set by law/],
      ['sar_breach', { transferKeeps: 'nothing' }, 'not_a_transfer_rule', /"transferKeeps"/],
    ] as const) {
      const res = await call(t.app, dpo, 'PATCH', `/api/retention/schedule/${kind}`, body);
      expect(res.statusCode, `${kind} ${JSON.stringify(body)}`).toBe(400);
      expect(errorOf(res).code).toBe(code);
      expect(errorOf(res).message).toMatch(message);
    }
    const schema = await call(t.app, dpo, 'PATCH', '/api/retention/schedule/sar_breach', {
      years: 2.5,
    });
    expect(schema.statusCode).toBe(400);
    expect(errorOf(schema).message).toMatch(/"years"/);
    expect(
      (await call(t.app, dpo, 'PATCH', '/api/retention/schedule/nonsense', { years: 1 }))
        .statusCode,
    ).toBe(400);
    expect(await schedule(dpo)).toEqual(before);
    expect(await events(schoolId, 'retention.rule_changed')).toEqual([]);
    const refused = await events(schoolId, 'retention.refused');
    expect(refused.map((r) => r.details.code)).toEqual([
      'bad_period',
      'bad_period',
      'bad_period',
      'bad_period',
      'not_school_set',
      'not_a_transfer_rule',
    ]);
    expect(refused[0]?.details).toMatchObject({ attempt: 'rule_change', target: 'sar_breach' });
  });

  it("is the DPO, DSL team and headteacher's: teachers and administrators are refused", async () => {
    const { as } = await school();
    expect(
      (await call(t.app, await as('headteacher'), 'GET', '/api/retention/schedule')).statusCode,
    ).toBe(200);
    for (const role of ['teacher', 'school_admin'] as const) {
      const s = await as(role);
      expect((await call(t.app, s, 'GET', '/api/retention/schedule')).statusCode).toBe(403);
      const res = await call(t.app, s, 'PATCH', '/api/retention/schedule/sar_breach', { years: 9 });
      expect(res.statusCode).toBe(403);
    }
  });
});

async function logConcern(
  schoolId: string,
  pupilId: string,
  categoryName: string,
  happenedAt: string,
) {
  const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
  const category = (await categoryIds(t.services, schoolId)).find((c) => c.name === categoryName)!;
  const res = await call(t.app, teacher, 'POST', '/api/concerns', {
    pupils: [{ pupilId, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt,
    body: 'Something seen at break.',
  });
  expect(res.statusCode, res.body).toBe(201);
  return { concernId: res.json<{ id: string }>().id, categoryId: category.id };
}

describe('legal holds', () => {
  it('every sexual-abuse category is under a standing hold that only the DPO lifts', async () => {
    const { schoolId, dpo, dsl } = await school();
    const standing = (await holds(dsl)).items.filter((h) => h.standing);
    expect(standing.map((h) => h.category?.name).sort()).toEqual([
      'Child sexual exploitation (CSE)',
      'Sexual abuse',
      'Sexual violence or harassment',
      'Sharing nudes or semi-nudes',
    ]);
    const sexualAbuse = standing.find((h) => h.category?.name === 'Sexual abuse')!;
    expect(sexualAbuse).toMatchObject({ matter: 'public_inquiry', placedBy: null, allowed: [] });
    expect(sexualAbuse.reason).toMatch(/Inquiry into Child Sexual Abuse/);

    const refused = await call(t.app, dsl, 'POST', `/api/retention/holds/${sexualAbuse.id}/lift`, {
      reason: 'Tidying up',
    });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('dpo_only');
    expect((await events(schoolId, 'retention.refused')).at(-1)?.details).toMatchObject({
      attempt: 'hold_lift',
      code: 'dpo_only',
      target: sexualAbuse.id,
    });
    expect((await holds(dsl)).items.some((h) => h.id === sexualAbuse.id)).toBe(true);

    const dpoView = (await holds(dpo)).items.find((h) => h.id === sexualAbuse.id)!;
    expect(dpoView.allowed).toEqual(['lift']);
    const lifted = await call(t.app, dpo, 'POST', `/api/retention/holds/${sexualAbuse.id}/lift`, {
      reason: 'Inquiry closed; DPO decision recorded in minutes.',
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    const gone = await holds(dpo, true);
    expect(gone.items.find((h) => h.id === sexualAbuse.id)).toMatchObject({
      liftReason: 'Inquiry closed; DPO decision recorded in minutes.',
      allowed: [],
    });
    // A lifted standing hold stays lifted: listing again does not put it back.
    expect((await holds(dpo)).items.some((h) => h.category?.name === 'Sexual abuse')).toBe(false);
    const again = await call(t.app, dpo, 'POST', `/api/retention/holds/${sexualAbuse.id}/lift`, {
      reason: 'Twice',
    });
    expect(again.statusCode).toBe(409);
    const lifts = await events(schoolId, 'retention.hold_lifted');
    expect(lifts.map((r) => r.details)).toEqual([
      { scope: 'category', matter: 'public_inquiry', standing: true },
    ]);
  });

  it('placed on a pupil, a category, a date range or a record, covering those records only', async () => {
    const { schoolId, dpo } = await school();
    const [ann, ben, cat] = await Promise.all([1, 2, 3].map(() => makePupil(t.services, schoolId)));
    const a = await logConcern(schoolId, ann!.id, 'Bullying', '2026-01-10T10:00:00Z');
    const b = await logConcern(schoolId, ben!.id, 'Neglect', '2026-02-10T10:00:00Z');
    const c = await logConcern(schoolId, cat!.id, 'Behaviour', '2026-03-10T10:00:00Z');
    const d = await logConcern(schoolId, cat!.id, 'Behaviour', '2026-04-10T10:00:00Z');
    const place = (body: object) => call(t.app, dpo, 'POST', '/api/retention/holds', body);
    const reason = 'Solicitors acting for the family wrote on 3 March.';
    for (const body of [
      { scope: 'pupil', pupilId: ann!.id, matter: 'litigation', reason },
      { scope: 'category', categoryId: b.categoryId, matter: 'police', reason },
      {
        scope: 'date_range',
        fromDate: '2026-03-01',
        toDate: '2026-03-31',
        matter: 'other',
        reason,
      },
    ]) {
      const res = await place(body);
      expect(res.statusCode, res.body).toBe(201);
    }
    const covered = await inSchool(t.services.db, schoolId, (q) =>
      heldRecords(q, [a.concernId, b.concernId, c.concernId, d.concernId]),
    );
    expect(covered.get(a.concernId)?.map((h) => h.matter)).toEqual(['litigation']);
    expect(covered.get(a.concernId)?.[0]?.placedBy).toBe('Staff dpo');
    expect(covered.get(b.concernId)?.map((h) => h.matter)).toEqual(['police']);
    expect(covered.get(c.concernId)?.map((h) => h.matter)).toEqual(['other']);
    expect(covered.has(d.concernId)).toBe(false);

    const one = await place({
      scope: 'record',
      concernId: d.concernId,
      matter: 'subject_access',
      reason,
    });
    expect(one.statusCode).toBe(201);
    const listed = (await holds(dpo)).items.find((h) => h.concernId === d.concernId)!;
    expect(listed).toMatchObject({
      scope: 'record',
      matter: 'subject_access',
      reason,
      allowed: ['lift'],
    });
    expect(listed.placedBy?.name).toBe('Staff dpo');
    expect((await holds(dpo)).items.find((h) => h.scope === 'pupil')?.pupil?.name).toBe(ann!.name);

    const placed = await events(schoolId, 'retention.hold_placed');
    expect(placed.filter((r) => r.details.standing === false).map((r) => r.details.scope)).toEqual([
      'pupil',
      'category',
      'date_range',
      'record',
    ]);
    // The reason is sealed at rest: the row holds no trace of it.
    const raw = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ reason: Buffer }>('SELECT reason FROM retention_holds WHERE school_id = $1', [
        schoolId,
      ]),
    );
    expect(raw.length).toBeGreaterThan(4);
    for (const r of raw) expect(r.reason.toString('latin1')).not.toContain('Solicitors');
    expect(JSON.stringify(await auditRows(t, schoolId))).not.toContain('Solicitors');
    expect((await verifyAudit(t.services.db, schoolId)).breaks).toEqual([]);
  });

  it('refuses a hold without its field, with a stray field, or naming another school; audited', async () => {
    const { schoolId, dpo } = await school();
    const other = await school();
    const theirPupil = await makePupil(t.services, other.schoolId);
    const reason = 'Police request';
    for (const [body, code, message] of [
      [{ scope: 'pupil', matter: 'police', reason }, 'missing', /missing "pupilId"/],
      [
        { scope: 'pupil', pupilId: theirPupil.id, matter: 'police', reason },
        'unknown',
        /"pupilId" names no pupil/,
      ],
      [
        {
          scope: 'date_range',
          fromDate: '2026-05-01',
          toDate: '2026-04-01',
          matter: 'police',
          reason,
        },
        'bad_range',
        /"toDate"/,
      ],
      [
        {
          scope: 'category',
          categoryId: theirPupil.id,
          pupilId: theirPupil.id,
          matter: 'police',
          reason,
        },
        'extra',
        /"pupilId" does not belong/,
      ],
    ] as const) {
      const res = await call(t.app, dpo, 'POST', '/api/retention/holds', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe(code);
      expect(errorOf(res).message).toMatch(message);
    }
    const blank = await call(t.app, dpo, 'POST', '/api/retention/holds', {
      scope: 'pupil',
      pupilId: theirPupil.id,
      matter: 'police',
      reason: '',
    });
    expect(blank.statusCode).toBe(400);
    expect((await holds(dpo)).items.filter((h) => !h.standing)).toEqual([]);
    expect((await events(schoolId, 'retention.refused')).map((r) => r.details.code)).toEqual([
      'missing',
      'unknown',
      'bad_range',
      'extra',
    ]);
    const missing = await call(
      t.app,
      dpo,
      'POST',
      '/api/retention/holds/00000000-0000-4000-8000-000000000000/lift',
      { reason: 'x' },
    );
    expect(missing.statusCode).toBe(404);
  });
});
