// Complaints (issue 17): the public form takes a complaint with no account once its proof of work
// is done, each challenge once; a script sending more than a few an hour from one address is
// refused (429), each refusal audited; the DPO sees the register and acknowledges and answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../../test/harness.ts';
import { createHash } from 'node:crypto';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { addDays } from '../../../shared/calendar.ts';
import type { ComplaintList } from '../../../shared/schemas/data-protection.ts';
import { senderOf, solveChallenge } from './challenge.ts';
import { todayInEngland } from '../requests/load.ts';

let t: TestApp;
const clock = testClock();
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
});
afterAll(async () => t.close());

const challenge = async (schoolId: string) => {
  const res = await call(t.app, null, 'GET', `/api/public/schools/${schoolId}/complaint-challenge`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ challenge: string; bits: number }>().challenge;
};
const send = (schoolId: string, body: Record<string, unknown>, ip = '203.0.113.9') =>
  t.app.inject({
    method: 'POST',
    url: `/api/public/schools/${schoolId}/complaints`,
    remoteAddress: ip,
    payload: {
      complainant: 'A Parent',
      contact: 'parent@example.invalid',
      details: 'You shared my data',
      ...body,
    },
  });

describe('complaints', () => {
  it('are taken from the public form with a proof of work, once per challenge, into the register', async () => {
    const schoolId = await makeSchool(t.services);
    const c = await challenge(schoolId);
    const counter = solveChallenge(c);
    const sent = await send(schoolId, { challenge: c, counter });
    expect(sent.statusCode, sent.body).toBe(201);
    const ackBy = addDays(todayInEngland(new Date()), 30);
    expect(sent.json()).toEqual({ acknowledgeBy: ackBy });
    expect((await send(schoolId, { challenge: c, counter })).statusCode).toBe(409);
    // A counter whose digest provably lacks the work: its first byte is not zero (< 8 zero bits).
    const fresh = await challenge(schoolId);
    let lazyCounter = 0;
    while (createHash('sha256').update(`${fresh}:${lazyCounter}`).digest()[0] === 0) lazyCounter++;
    const lazy = await send(schoolId, { challenge: fresh, counter: lazyCounter });
    expect(lazy.statusCode).toBe(400);
    expect(lazy.json<{ error: { code: string } }>().error.code).toBe('challenge_refused');
    // A forged signature of the right length (43 base64url characters, an HMAC-SHA-256).
    const forgedChallenge = `${fresh.split('.')[0]}.${'A'.repeat(43)}`;
    const forged = await send(schoolId, {
      challenge: forgedChallenge,
      counter: solveChallenge(forgedChallenge),
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe('challenge_refused');
    expect(forged.json<{ error: { message: string } }>().error.message).toMatch(/Reload the page/);
    // An expired challenge (valid for 30 minutes), worked and signed, is refused.
    const old = await challenge(schoolId);
    clock.advance(31 * 60_000);
    const expired = await send(schoolId, { challenge: old, counter: solveChallenge(old) });
    clock.advance(-31 * 60_000);
    expect(expired.statusCode).toBe(400);
    expect(expired.json<{ error: { code: string } }>().error.code).toBe('challenge_refused');

    const dpo = await signIn(t.app, await makeUser(t.services, schoolId, 'dpo'), {
      elevated: true,
    });
    const list = await call(t.app, dpo, 'GET', '/api/data-protection/complaints');
    expect(list.statusCode, list.body).toBe(200);
    const [item] = list.json<ComplaintList>().items;
    expect(item).toMatchObject({
      complainant: 'A Parent',
      details: 'You shared my data',
      acknowledgeBy: ackBy,
      acknowledgedOn: null,
      allowed: ['acknowledge', 'respond'],
    });
    const url = `/api/data-protection/complaints/${item!.id}`;
    expect((await call(t.app, dpo, 'POST', `${url}/acknowledge`)).statusCode).toBe(200);
    expect((await call(t.app, dpo, 'POST', `${url}/acknowledge`)).statusCode).toBe(409);
    const answered = await call(t.app, dpo, 'POST', `${url}/response`, {
      response: 'We are sorry',
    });
    expect(answered.statusCode).toBe(200);
    const after = (
      await call(t.app, dpo, 'GET', '/api/data-protection/complaints')
    ).json<ComplaintList>();
    expect(after.items[0]).toMatchObject({ response: 'We are sorry', allowed: [] });
    const actions = (await auditRows(t, schoolId)).map((r) => r.action);
    expect(actions).toContain('dp.complaint_received');
    expect(actions).toContain('dp.complaint_refused');
    const [stored] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: Buffer; address_digest: string }>(
        'SELECT details, address_digest FROM dp_complaints WHERE id = $1',
        [item!.id],
      ),
    );
    expect(stored!.details.toString('utf8')).not.toContain('shared my data');
    expect(stored!.address_digest).not.toContain('203.0.113.9');
  });

  it('audits at most one refusal per sender per hour, however many forged forms arrive', async () => {
    const schoolId = await makeSchool(t.services);
    const c = await challenge(schoolId);
    const forgedChallenge = `${c.split('.')[0]}.${'B'.repeat(43)}`;
    for (let i = 0; i < 20; i++)
      expect((await send(schoolId, { challenge: forgedChallenge, counter: i })).statusCode).toBe(
        400,
      );
    const refusals = (await auditRows(t, schoolId)).filter(
      (r) => r.action === 'dp.complaint_refused',
    );
    expect(refusals).toHaveLength(1);
  });

  it('counts an IPv6 sender by its /64, and serialises racing sends', async () => {
    expect(senderOf('2001:db8:1:2:aaaa::1')).toBe(senderOf('2001:DB8:1:2:bbbb:0:0:2'));
    expect(senderOf('2001:db8:1:3::1')).not.toBe(senderOf('2001:db8:1:2::1'));
    expect(senderOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    const schoolId = await makeSchool(t.services);
    const challenges = await Promise.all([1, 2, 3, 4, 5, 6].map(() => challenge(schoolId)));
    const statuses = await Promise.all(
      challenges.map((c, i) =>
        send(schoolId, { challenge: c, counter: solveChallenge(c) }, `2001:db8:9:9::${i + 1}`),
      ),
    );
    expect(statuses.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 429, 429, 429]);
    // One challenge sent twice at once: one taken, the other a conflict (not a fault).
    const c = await challenge(schoolId);
    const counter = solveChallenge(c);
    const twice = await Promise.all([
      send(schoolId, { challenge: c, counter }, '192.0.2.50'),
      send(schoolId, { challenge: c, counter }, '192.0.2.50'),
    ]);
    expect(twice.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('takes at most 30 complaints an hour for one school across all senders', async () => {
    const schoolId = await makeSchool(t.services);
    for (let i = 0; i < 30; i++) {
      const c = await challenge(schoolId);
      const res = await send(schoolId, { challenge: c, counter: solveChallenge(c) }, `10.0.0.${i}`);
      expect(res.statusCode, res.body).toBe(201);
    }
    const c = await challenge(schoolId);
    const busy = await send(schoolId, { challenge: c, counter: solveChallenge(c) }, '10.0.1.1');
    expect(busy.statusCode).toBe(429);
    const error = busy.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('school_complaints_busy');
    expect(error.message).toMatch(/many complaints in the last hour/);
  });

  it('refuses a script flooding the form from one address, and an unknown school', async () => {
    const schoolId = await makeSchool(t.services);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await challenge(schoolId);
      statuses.push(
        (await send(schoolId, { challenge: c, counter: solveChallenge(c) }, '198.51.100.4'))
          .statusCode,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    const c = await challenge(schoolId);
    expect(
      (await send(schoolId, { challenge: c, counter: solveChallenge(c) }, '198.51.100.5'))
        .statusCode,
    ).toBe(201);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      (await call(t.app, null, 'GET', `/api/public/schools/${unknown}/complaint-challenge`))
        .statusCode,
    ).toBe(404);
    // Another school's challenge does not serve here.
    const other = await makeSchool(t.services);
    const foreign = await challenge(other);
    expect(
      (await send(schoolId, { challenge: foreign, counter: solveChallenge(foreign) }, '192.0.2.1'))
        .statusCode,
    ).toBe(400);
  });
});
