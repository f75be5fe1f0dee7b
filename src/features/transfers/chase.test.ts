// Chasing (issue 18), with a controllable clock: no reminder before the due day; on the due day
// the DSL team is reminded once (a second run that day does nothing); two school days overdue the
// headteacher is told too, once; an accepted file is not chased.
import { randomInt } from 'node:crypto';
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
import { auditRows } from '../identity/identity-test-kit.ts';
import { runTransferChase } from '../../jobs/transfer-chase.ts';
import type { TransfersView } from '../../shared/schemas/transfers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));
/** Noon in London on a date, as the job's `now`. */
const noon = (date: string) => new Date(`${date}T12:00:00Z`);

describe('chasing a transfer without a receipt', () => {
  it('reminds the DSL team from the due day and escalates two school days after', async () => {
    const schoolId = await makeSchool(t.services);
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    await makeUser(t.services, schoolId, 'headteacher');
    const urn = randomInt(100_000, 999_999_999);
    await owner(
      `INSERT INTO establishments (urn, name, loaded_at) VALUES ($1, 'Elsewhere', now())`,
      [urn],
    );
    // The destination uses this Lantern, so the draft can be sent and is chased.
    await owner('UPDATE schools SET urn = $2 WHERE id = $1', [await makeSchool(t.services), urn]);
    const pupil = await makePupil(t.services, schoolId);
    const [category] = await categoryIds(t.services, schoolId);
    await call(t.app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Record.',
    });
    const opened = await call(t.app, dsl, 'POST', '/api/transfers', {
      pupilId: pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: urn,
    });
    const id = opened.json<{ id: string }>().id;
    // As if the destination had been confirmed on the leaving day: due Wed 18 Mar 2026.
    await owner(`UPDATE transfers SET destination_set_on = '2026-03-11' WHERE id = $1`, [id]);
    const reminders = async () =>
      (await auditRows(t, schoolId))
        .filter((r) => r.action === 'transfer.reminded')
        .map((r) => r.details);
    const run = (date: string) => runTransferChase(t.services, noon(date), [schoolId]);

    expect(await run('2026-03-17')).toBe(0);
    expect(await run('2026-03-18')).toBe(1);
    expect(await run('2026-03-18')).toBe(0);
    expect(await run('2026-03-19')).toBe(1);
    expect(await run('2026-03-21')).toBe(0); // a Saturday
    expect(await run('2026-03-20')).toBe(1);
    expect(await run('2026-03-23')).toBe(1);
    expect(await reminders()).toEqual([
      { dueOn: '2026-03-18', escalated: false },
      { dueOn: '2026-03-18', escalated: false },
      { dueOn: '2026-03-18', escalated: true },
      { dueOn: '2026-03-18', escalated: false },
    ]);
    await owner(`UPDATE transfers SET state = 'accepted' WHERE id = $1`, [id]);
    expect(await run('2026-03-24')).toBe(0);
  });

  it('chases a draft to a school on no Lantern (it can go as a link), which may be closed with its reason', async () => {
    const schoolId = await makeSchool(t.services);
    const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), {
      elevated: true,
    });
    const urn = randomInt(100_000, 999_999_999);
    await owner(
      `INSERT INTO establishments (urn, name, loaded_at) VALUES ($1, 'Not on Lantern', now())`,
      [urn],
    );
    const pupil = await makePupil(t.services, schoolId);
    const [category] = await categoryIds(t.services, schoolId);
    await call(t.app, dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Record.',
    });
    const open = () =>
      call(t.app, dsl, 'POST', '/api/transfers', {
        pupilId: pupil.id,
        leavingOn: '2026-03-11',
        destinationUrn: urn,
      });
    const id = (await open()).json<{ id: string }>().id;
    await owner(`UPDATE transfers SET destination_set_on = '2026-03-11' WHERE id = $1`, [id]);
    expect(await runTransferChase(t.services, noon('2026-03-18'), [schoolId])).toBe(1);
    const out = (await call(t.app, dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0]!;
    expect(out.allowed).toEqual(['send', 'set_destination', 'close']);
    expect(out.tasks.join(' ')).toMatch(/does not use this Lantern.*secure link/);

    const noReason = await call(t.app, dsl, 'POST', `/api/transfers/${id}/close`, {
      reason: '  ',
    });
    expect(noReason.statusCode).toBe(400);
    const closed = await call(t.app, dsl, 'POST', `/api/transfers/${id}/close`, {
      reason: 'Sent by other secure means (S2S) on 12 March.',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({
      state: 'closed',
      closedReason: 'Sent by other secure means (S2S) on 12 March.',
      allowed: [],
    });
    const [row] = await owner<{ closed_reason: Buffer }>(
      'SELECT closed_reason FROM transfers WHERE id = $1',
      [id],
    );
    expect(row!.closed_reason.toString('latin1')).not.toContain('secure means');
    expect(
      (await auditRows(t, schoolId)).filter((r) => r.action === 'transfer.closed'),
    ).toMatchObject([{ details: { from: 'draft' } }]);
    const again = await call(t.app, dsl, 'POST', `/api/transfers/${id}/close`, { reason: 'x' });
    expect(again.statusCode).toBe(409);
    // Closed, it no longer blocks a later transfer for the pupil.
    expect((await open()).statusCode).toBe(201);
  });
});
