// Patterns about pupils (issue 20), on a fixed clock: the DSL sets "3 records in 30 days"; a
// teacher logs three about Ava and two about Ben; the scan alerts the DSL team once about Ava (not
// again while the pattern lasts, not about Ben), and both show as rising. Bad rules are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { runPatternScan } from '../../jobs/pupil-patterns.ts';
import type { Patterns, RisingPupils } from '../../shared/schemas/patterns.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
const clock = testClock(new Date('2026-03-20T12:00:00Z'));
let dsl: Session;
let teacher: Session;
let schoolId: string;
let ava: { id: string; name: string };
let ben: { id: string; name: string };
let bullying: string;
let restricted: string;
let cai: { id: string; name: string };

const RULE = {
  name: 'Three in 30 days',
  records: 3,
  withinDays: 30,
  categoryIds: [],
  enabled: true,
};

async function log(pupilId: string, happenedAt: string, categoryId = bullying) {
  const res = await call(t.app, teacher, 'POST', '/api/concerns', {
    pupils: [{ pupilId, role: 'subject' }],
    categoryIds: [categoryId],
    happenedAt,
    body: 'Another worry for the pattern fixture.',
  });
  expect(res.statusCode, res.body).toBe(201);
}

const patternAlerts = () =>
  unsafeAsOwner(t.services.db, (q) =>
    q.query<{ target_id: string }>(
      `SELECT target_id FROM alerts WHERE school_id = $1 AND kind = 'pupil_pattern'`,
      [schoolId],
    ),
  );

beforeAll(async () => {
  t = await testApp({ clock });
  schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tia Teach');
  ava = await makePupil(t.services, schoolId, { firstName: 'Ava' });
  ben = await makePupil(t.services, schoolId, { firstName: 'Ben' });
  cai = await makePupil(t.services, schoolId, { firstName: 'Cai' });
  const cats = await categoryIds(t.services, schoolId);
  bullying = cats.find((c) => c.name === 'Bullying')!.id;
  restricted = cats.find((c) => c.restricted)!.id;
  dsl = await signIn(t.app, dslUser, { elevated: true });
  teacher = await signIn(t.app, teacherUser);
}, 120_000);
afterAll(async () => t.close());

describe('patterns about pupils', () => {
  it('refuses rules a person would get wrong, saying why', async () => {
    const twice = await call(t.app, dsl, 'PUT', '/api/patterns/rules', { rules: [RULE, RULE] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json<{ error: { message: string } }>().error.message).toMatch(/called/);
    const unknown = await call(t.app, dsl, 'PUT', '/api/patterns/rules', {
      rules: [{ ...RULE, categoryIds: ['00000000-0000-4000-8000-000000000000'] }],
    });
    expect(unknown.statusCode).toBe(400);
    const one = await call(t.app, dsl, 'PUT', '/api/patterns/rules', {
      rules: [{ ...RULE, records: 1 }],
    });
    expect(one.statusCode).toBe(400);
    const secret = await call(t.app, dsl, 'PUT', '/api/patterns/rules', {
      rules: [{ ...RULE, categoryIds: [restricted] }],
    });
    expect(secret.statusCode).toBe(400);
    expect(secret.json<{ error: { message: string } }>().error.message).toMatch(/restricted/);
    expect((await call(t.app, teacher, 'GET', '/api/patterns')).statusCode).toBe(403);
  });

  it('alerts the DSL team once when a pupil’s records match, and names the rule', async () => {
    const saved = await call(t.app, dsl, 'PUT', '/api/patterns/rules', { rules: [RULE] });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<Patterns>().rules).toMatchObject([RULE]);
    // Three restricted records about Cai: never a pattern (not all the DSL team may open them).
    for (const day of ['03', '04', '05']) await log(cai.id, `2026-03-${day}T10:00:00Z`, restricted);
    await log(ava.id, '2026-03-01T10:00:00Z');
    await log(ava.id, '2026-03-10T10:00:00Z');
    await log(ben.id, '2026-03-12T10:00:00Z');
    await log(ben.id, '2026-03-13T10:00:00Z');
    expect(await runPatternScan(t.services, clock.now(), [schoolId])).toBe(0);
    await log(ava.id, '2026-03-19T10:00:00Z');
    expect(await runPatternScan(t.services, clock.now(), [schoolId])).toBe(1);
    expect((await patternAlerts()).map((a) => a.target_id)).toEqual([ava.id]);
    // Once: not again on the next scan, nor for a fourth record while the pattern lasts.
    await log(ava.id, '2026-03-20T09:00:00Z');
    expect(await runPatternScan(t.services, clock.now(), [schoolId])).toBe(0);
    expect(await patternAlerts()).toHaveLength(1);

    // Saving the rules again as the page does (with the ids it was given) keeps the rule and its
    // signals: no second alert.
    const again = await call(t.app, dsl, 'PUT', '/api/patterns/rules', {
      rules: saved.json<Patterns>().rules,
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(await runPatternScan(t.services, clock.now(), [schoolId])).toBe(0);
    const read = await call(t.app, dsl, 'GET', '/api/patterns');
    expect(read.json<Patterns>().signals).toMatchObject([
      { rule: 'Three in 30 days', pupil: { id: ava.id }, records: 3 },
    ]);
    const audited = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ target_id: string }>(
        `SELECT target_id FROM audit_events WHERE school_id = $1 AND action = 'patterns.signalled'`,
        [schoolId],
      ),
    );
    expect(audited.map((a) => a.target_id)).toEqual([ava.id]);
  });

  it('lists the pupils whose records are rising, most risen first', async () => {
    const res = await call(t.app, dsl, 'GET', '/api/patterns/rising');
    expect(res.statusCode).toBe(200);
    // The DSL may see Cai's restricted records, so Cai is rising for them.
    expect(res.json<RisingPupils>().pupils.map((p) => [p.id, p.recent, p.before])).toEqual([
      [ava.id, 4, 0],
      [cai.id, 3, 0],
      [ben.id, 2, 0],
    ]);
  });
});
