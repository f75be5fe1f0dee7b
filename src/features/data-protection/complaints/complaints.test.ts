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
  type TestApp,
} from '../../../test/harness.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { addDays } from '../../../shared/calendar.ts';
import type { ComplaintList } from '../../../shared/schemas/data-protection.ts';
import { solveChallenge } from './challenge.ts';
import { todayInEngland } from '../requests/load.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
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
    const lazy = await send(schoolId, { challenge: await challenge(schoolId), counter: 0 });
    // Counter 0 may by chance be a solution; almost never.
    expect([400, 201]).toContain(lazy.statusCode);
    const forged = await send(schoolId, { challenge: `${c.split('.')[0]}.AAAA`, counter });
    expect(forged.statusCode).toBe(400);
    expect(forged.json<{ error: { message: string } }>().error.message).toMatch(/Reload the page/);

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
