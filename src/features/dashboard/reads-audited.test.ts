// Issue 11, finding 10: the actions list, the referrals list and the dashboard show sealed text and
// pupils' names, so each read writes exactly ONE audit entry naming by id what it showed (never
// text or names), in the read's own transaction.
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

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type Entry = { action: string; target_id: string | null; details: Record<string, unknown> };

async function entries(schoolId: string): Promise<Entry[]> {
  return unsafeAsOwner(t.services.db, (tx) =>
    tx.query<Entry>(
      'SELECT action, target_id, details FROM audit_events WHERE school_id = $1 ORDER BY seq',
      [schoolId],
    ),
  );
}

/** The entries one request wrote: everything after those already there. */
async function writtenBy(schoolId: string, request: () => ReturnType<typeof call>) {
  const before = (await entries(schoolId)).length;
  const res = await request();
  expect(res.statusCode, res.body).toBe(200);
  return { res, written: (await entries(schoolId)).slice(before) };
}

const SECRET_WORDS = ['Quillon', 'Marrowby', 'lunchbox', 'Ring the aunt', 'Family Support'];

async function setUp() {
  const schoolId = await makeSchool(t.services);
  const lead = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const pupil = await makePupil(t.services, schoolId, {
    firstName: 'Quillon',
    lastName: 'Marrowby',
  });
  const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
  const dsl = await signIn(t.app, lead, { elevated: true });
  const made = async (url: string, payload: unknown) => {
    const res = await call(t.app, dsl, 'POST', url, payload);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const concernId = await made('/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: 'Quillon had no lunchbox again.',
  });
  const actionId = await made('/api/actions', {
    pupilId: pupil.id,
    concernId,
    type: 'phone_call',
    text: 'Ring the aunt',
    assigneeId: lead.id,
  });
  const agencies = (await call(t.app, dsl, 'GET', '/api/referral-agencies')).json<{
    items: { id: string; expectedResponseHours: number | null }[];
  }>().items;
  const agency = agencies.find((a) => a.expectedResponseHours !== null)!;
  const referralId = await made('/api/referrals', {
    pupilId: pupil.id,
    agencyId: agency.id,
    referredAt: new Date(Date.now() - 60 * 86_400_000).toISOString(),
    details: 'Family Support were told',
  });
  const caseId = await made('/api/cases', { pupilId: pupil.id });
  return { schoolId, dsl, pupil, concernId, actionId, referralId, caseId };
}

function expectNoWords(written: Entry[]) {
  const text = JSON.stringify(written);
  for (const word of SECRET_WORDS) expect(text).not.toContain(word);
}

describe('reads that show sealed text or names are audited, one entry per request', () => {
  it('the actions list writes one entry naming the actions shown', async () => {
    const s = await setUp();
    const { res, written } = await writtenBy(s.schoolId, () =>
      call(t.app, s.dsl, 'GET', '/api/actions'),
    );
    const shown = res.json<{ items: { id: string; text: string }[] }>().items;
    expect(shown.map((a) => a.text)).toContain('Ring the aunt');
    expect(written).toEqual([
      { action: 'action.listed', target_id: null, details: { actions: shown.map((a) => a.id) } },
    ]);
    expectNoWords(written);

    const ofPupil = await writtenBy(s.schoolId, () =>
      call(t.app, s.dsl, 'GET', `/api/actions?pupilId=${s.pupil.id}`),
    );
    expect(ofPupil.written).toEqual([
      { action: 'action.listed', target_id: s.pupil.id, details: { actions: [s.actionId] } },
    ]);
  });

  it('the referrals list writes one entry naming the referrals shown', async () => {
    const s = await setUp();
    const { res, written } = await writtenBy(s.schoolId, () =>
      call(t.app, s.dsl, 'GET', '/api/referrals'),
    );
    const shown = res.json<{ items: { id: string; details: string | null }[] }>().items;
    expect(shown.map((r) => r.details)).toEqual(['Family Support were told']);
    expect(written).toEqual([
      { action: 'referral.listed', target_id: null, details: { referrals: [s.referralId] } },
    ]);
    expectNoWords(written);
  });

  it('the dashboard writes one entry naming everything it showed, and no other', async () => {
    const s = await setUp();
    const { res, written } = await writtenBy(s.schoolId, () =>
      call(t.app, s.dsl, 'GET', '/api/dashboard'),
    );
    const d = res.json<{
      alerts: { id: string }[];
      actions: { id: string }[];
      openCases: { id: string }[];
      overdueReferrals: { id: string }[];
      recent: { id: string }[];
    }>();
    // Every part shows something, so the entry is proved to name each.
    expect(d.actions.map((a) => a.id)).toEqual([s.actionId]);
    expect(d.openCases.map((c) => c.id)).toEqual([s.caseId]);
    expect(d.overdueReferrals.map((r) => r.id)).toEqual([s.referralId]);
    expect(d.recent.map((c) => c.id)).toEqual([s.concernId]);
    expect(written).toEqual([
      {
        action: 'dashboard.viewed',
        target_id: null,
        details: {
          alerts: d.alerts.map((a) => a.id),
          actions: [s.actionId],
          cases: [s.caseId],
          referrals: [s.referralId],
          concerns: [s.concernId],
        },
      },
    ]);
    expectNoWords(written);
  });
});
