// The records workflow's two school-set numbers on the policies API: how long a DSL-team alert
// may wait before it escalates, and the largest attachment (in MB; the server's own upload limit
// is the most a school may set, refused with a message that says so). Bad values are refused
// naming the field and write nothing; a change is audited with before and after, and takes effect
// for the next alert raised and the next file uploaded.
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
import { runDueWork } from '../../jobs/due-work.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import { VAULT_HARD_LIMIT_BYTES } from '../../shared/limits.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const MB = 1024 * 1024;
type PolicyView = {
  policies: {
    alertEscalationMinutes: number;
    maxUploadMegabytes: number;
    protectiveMarking: string;
  };
  notes: { alertEscalationMinutes: string; maxUploadMegabytes: string; protectiveMarking: string };
};

async function school() {
  const schoolId = await makeSchool(t.services);
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
    elevated: true,
  });
  return { schoolId, admin };
}
const patch = (s: Session, body: unknown) => call(t.app, s, 'PATCH', '/api/admin/policies', body);
const policyEvents = async (schoolId: string) =>
  (await auditRows(t, schoolId)).filter((r) => r.action === 'school.policies_changed');

describe('escalation time and upload limit on the policies API', () => {
  it('shows the defaults with notes, and refuses bad values naming the field, writing nothing', async () => {
    const { schoolId, admin } = await school();
    const view = (await call(t.app, admin, 'GET', '/api/admin/policies')).json<PolicyView>();
    expect(view.policies).toMatchObject({ alertEscalationMinutes: 60, maxUploadMegabytes: 20 });
    expect(view.notes.maxUploadMegabytes).toMatch(/accepts no upload larger than 50 MB/);
    expect(VAULT_HARD_LIMIT_BYTES).toBe(50 * MB);

    for (const [body, message] of [
      [{ alertEscalationMinutes: 4 }, 'The body field "alertEscalationMinutes" must be >= 5.'],
      [
        { alertEscalationMinutes: 10081 },
        'The body field "alertEscalationMinutes" must be <= 10080.',
      ],
      [
        { alertEscalationMinutes: 12.5 },
        'The body field "alertEscalationMinutes" must be integer.',
      ],
      [{ maxUploadMegabytes: 0 }, 'The body field "maxUploadMegabytes" must be >= 1.'],
      [{ maxUploadMegabytes: 2.5 }, 'The body field "maxUploadMegabytes" must be integer.'],
      [
        { maxUploadMegabytes: 51, alertEscalationMinutes: 30 },
        'The body field "maxUploadMegabytes" must be <= 50: the server accepts no upload ' +
          'larger than 50 MB, whatever the school sets.',
      ],
      [{ maxUploadBytes: 1024 }, 'The body has an unexpected field "maxUploadBytes".'],
    ] as const) {
      const refused = await patch(admin, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(refused).message).toBe(message);
    }
    const after = (await call(t.app, admin, 'GET', '/api/admin/policies')).json<PolicyView>();
    expect(after.policies).toEqual(view.policies);
    expect(await policyEvents(schoolId)).toEqual([]);
  });

  it('a shorter escalation time escalates the next DSL-team alert sooner, and is audited', async () => {
    const { schoolId, admin } = await school();
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
    await makeUser(t.services, schoolId, 'dsl');
    const deputy = await makeUser(t.services, schoolId, 'deputy_dsl');
    const head = await makeUser(t.services, schoolId, 'headteacher');
    const pupil = await makePupil(t.services, schoolId);
    const bullying = (await categoryIds(t.services, schoolId)).find((c) => c.name === 'Bullying')!;
    const log = async () => {
      const res = await call(t.app, teacher, 'POST', '/api/concerns', {
        pupils: [{ pupilId: pupil.id, role: 'subject' }],
        categoryIds: [bullying.id],
        happenedAt: new Date(Date.now() - 60_000).toISOString(),
        body: 'Crying at break.',
        alertGroups: ['dsl_team'],
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    const escalatedTo = async (id: string) =>
      (
        await unsafeAsOwner(t.services.db, (q) =>
          q.query<{ recipient_id: string }>(
            `SELECT recipient_id FROM alerts WHERE target_id = $1 AND kind = 'escalation'`,
            [id],
          ),
        )
      )
        .map((r) => r.recipient_id)
        .sort();

    const underDefault = await log();
    const changed = await patch(admin, { alertEscalationMinutes: 10 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<PolicyView>().policies.alertEscalationMinutes).toBe(10);
    const [event] = await policyEvents(schoolId);
    expect(event?.details.changed).toEqual(['alertEscalationMinutes']);
    expect(JSON.parse(event!.details.before as string)).toMatchObject({
      alertEscalationMinutes: 60,
    });
    expect(JSON.parse(event!.details.after as string)).toMatchObject({
      alertEscalationMinutes: 10,
    });
    const underTen = await log();

    await runDueWork(t.services, new Date(Date.now() + 9 * 60_000));
    expect(await escalatedTo(underTen)).toEqual([]);
    await runDueWork(t.services, new Date(Date.now() + 11 * 60_000));
    expect(await escalatedTo(underTen)).toEqual([deputy.id, head.id].sort());
    // The alert raised before the change keeps its hour.
    expect(await escalatedTo(underDefault)).toEqual([]);
  });

  it('a changed upload limit applies to the next file, lowered or raised', async () => {
    const { schoolId, admin } = await school();
    const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
    const pupil = await makePupil(t.services, schoolId);
    const [cat] = await categoryIds(t.services, schoolId);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A letter from home.',
    });
    const concernId = logged.json<{ id: string }>().id;
    const upload = (bytes: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/concerns/${concernId}/attachments`,
        headers: {
          'x-file-name': 'notes.txt',
          cookie: teacher.cookie,
          'x-csrf-token': teacher.csrf,
          'content-type': 'application/octet-stream',
        },
        payload: Buffer.alloc(bytes, 0x41),
      });

    expect((await patch(admin, { maxUploadMegabytes: 1 })).statusCode).toBe(200);
    const tooBig = await upload(1.5 * MB);
    expect([tooBig.statusCode, errorOf(tooBig)]).toEqual([
      400,
      { code: 'file_refused', message: 'The file is 1.5 MB; the limit is 1 MB.' },
    ]);
    expect((await upload(0.5 * MB)).statusCode).toBe(201);

    // Raised again, the same file is taken.
    const raised = await patch(admin, { maxUploadMegabytes: 2 });
    expect(raised.json<PolicyView>().policies.maxUploadMegabytes).toBe(2);
    expect((await upload(1.5 * MB)).statusCode).toBe(201);

    const events = await policyEvents(schoolId);
    expect(events.map((e) => e.details.changed)).toEqual([
      ['maxUploadMegabytes'],
      ['maxUploadMegabytes'],
    ]);
    expect(JSON.parse(events[1]!.details.before as string)).toMatchObject({
      maxUploadMegabytes: 1,
    });
    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ bytes: number }>(
        `SELECT (settings->>'maxUploadBytes')::int AS bytes FROM schools WHERE id = $1`,
        [schoolId],
      ),
    );
    expect(stored[0]?.bytes).toBe(2 * MB);
  });

  it('the largest MIS push is set in MB on the same page, refused out of range, and applies to the next push', async () => {
    const { schoolId, admin } = await school();
    const view = (await call(t.app, admin, 'GET', '/api/admin/policies')).json<{
      policies: { maxMisPushMegabytes: number };
      notes: { maxMisPushMegabytes: string };
    }>();
    expect(view.policies.maxMisPushMegabytes).toBe(50);
    expect(view.notes.maxMisPushMegabytes).toMatch(/From 1 to 100 MB/);
    for (const [body, message] of [
      [{ maxMisPushMegabytes: 0 }, 'The body field "maxMisPushMegabytes" must be >= 1.'],
      [{ maxMisPushMegabytes: 101 }, 'The body field "maxMisPushMegabytes" must be <= 100.'],
    ] as const) {
      const res = await patch(admin, body);
      expect([res.statusCode, errorOf(res).message]).toEqual([400, message]);
    }
    expect(await policyEvents(schoolId)).toEqual([]);

    const key = await call(t.app, admin, 'POST', '/api/admin/mis/keys', { label: 'Integrator' });
    expect(key.statusCode, key.body).toBe(201);
    const push = (bytes: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/mis/push',
        remoteAddress: '203.0.113.77',
        headers: {
          authorization: `Bearer ${key.json<{ key: string }>().key}`,
          'content-type': 'application/json',
          'content-length': String(bytes),
        },
        payload: Buffer.alloc(bytes, 0x20),
      });
    const lowered = await patch(admin, { maxMisPushMegabytes: 1 });
    expect(lowered.json<{ policies: { maxMisPushMegabytes: number } }>().policies).toMatchObject({
      maxMisPushMegabytes: 1,
    });
    const refused = await push(1.5 * MB);
    expect(refused.statusCode, refused.body).toBe(413);
    expect(errorOf(refused).message).toMatch(/\(1 MB\)/);
    const stored = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ bytes: number }>(
        `SELECT (settings->>'maxMisPushBytes')::int AS bytes FROM schools WHERE id = $1`,
        [schoolId],
      ),
    );
    expect(stored[0]?.bytes).toBe(MB);
    const events = await policyEvents(schoolId);
    expect(events.map((e) => e.details.changed)).toEqual([['maxMisPushMegabytes']]);
  });
});

describe('the protective marking on exported chronologies', () => {
  it('is OFFICIAL-SENSITIVE until the school sets its own, which must be a marking', async () => {
    const { admin } = await school();
    const view = (await call(t.app, admin, 'GET', '/api/admin/policies')).json<PolicyView>();
    expect(view.policies.protectiveMarking).toBe('OFFICIAL-SENSITIVE');
    expect(view.notes.protectiveMarking).toMatch(/every page of an exported chronology/);
    const refused = await patch(admin, { protectiveMarking: 'secret <b>' });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/protectiveMarking/);
    const set = await patch(admin, { protectiveMarking: 'OFFICIAL-SENSITIVE PERSONAL' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<PolicyView>().policies.protectiveMarking).toBe('OFFICIAL-SENSITIVE PERSONAL');
  });
});
