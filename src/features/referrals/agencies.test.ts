// Administering referral agencies through the HTTP API on a real database: an administrator adds
// an agency with a response time, a DSL refers to it and the referral keeps that time after the
// agency changes; archived agencies are not offered and refuse new referrals; bad input is a
// clear 400 or 409 that writes nothing; another school's agency is not found; every change is
// audited. Who may call each route is the access matrix's (src/http/access-matrix.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

type Agency = {
  id: string;
  name: string;
  expectedResponseHours: number | null;
  archived: boolean;
  referrals: number;
};
type Err = { error: { code: string; message: string } };

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const admin = await signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), {
    elevated: true,
  });
  const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), { elevated: true });
  const pupil = await makePupil(t.services, schoolId);
  return { schoolId, admin, dsl, pupil };
}

const agencies = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/admin/referral-agencies')).json<{ items: Agency[] }>().items;

async function auditActions(schoolId: string, targetId: string): Promise<string[]> {
  const rows = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE school_id = $1 AND target_id = $2 ORDER BY seq`,
      [schoolId, targetId],
    ),
  );
  return rows.map((r) => r.action);
}

describe('referral agencies', () => {
  it('are added, referred to, changed without rewriting referrals, archived and restored', async () => {
    const s = await school();
    const seeded = await agencies(s.admin);
    expect(seeded.map((a) => a.name)).toContain("Children's social care");

    const added = await call(t.app, s.admin, 'POST', '/api/admin/referral-agencies', {
      name: '  Young carers   service ',
      expectedResponseHours: 48,
    });
    expect(added.statusCode, added.body).toBe(201);
    const agency = added.json<Agency>();
    expect(agency).toMatchObject({
      name: 'Young carers service',
      expectedResponseHours: 48,
      archived: false,
      referrals: 0,
    });

    // The DSL is offered it, with its time, and a referral made 49 hours ago is overdue.
    const offered = (await call(t.app, s.dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string; expectedResponseHours: number | null }[];
    }>().items;
    expect(offered).toContainEqual({
      id: agency.id,
      name: 'Young carers service',
      expectedResponseHours: 48,
    });
    const referredAt = new Date(Date.now() - 49 * 3_600_000);
    const referral = await call(t.app, s.dsl, 'POST', '/api/referrals', {
      pupilId: s.pupil.id,
      agencyId: agency.id,
      referredAt: referredAt.toISOString(),
    });
    expect(referral.statusCode, referral.body).toBe(201);
    const made = referral.json<{ id: string; dueAt: string; overdue: boolean; agency: string }>();
    expect(made.overdue).toBe(true);
    expect(made.dueAt).toBe(new Date(referredAt.getTime() + 48 * 3_600_000).toISOString());

    // A longer time and a new name: the referral keeps the time it was given.
    const changed = await call(
      t.app,
      s.admin,
      'PATCH',
      `/api/admin/referral-agencies/${agency.id}`,
      {
        name: 'Young carers',
        expectedResponseHours: 168,
      },
    );
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<Agency>()).toMatchObject({
      name: 'Young carers',
      expectedResponseHours: 168,
      referrals: 1,
    });
    const after = (await call(t.app, s.dsl, 'GET', `/api/referrals/${made.id}`)).json<{
      dueAt: string;
      overdue: boolean;
      agency: string;
    }>();
    expect(after).toMatchObject({ dueAt: made.dueAt, overdue: true, agency: 'Young carers' });

    // No expected time at all.
    const none = await call(t.app, s.admin, 'PATCH', `/api/admin/referral-agencies/${agency.id}`, {
      expectedResponseHours: null,
    });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json<Agency>().expectedResponseHours).toBeNull();

    // Archived: not offered, refused for a new referral, the old referral keeps its agency.
    const archived = await call(
      t.app,
      s.admin,
      'PATCH',
      `/api/admin/referral-agencies/${agency.id}`,
      {
        archived: true,
      },
    );
    expect(archived.json<Agency>().archived).toBe(true);
    const list = await agencies(s.admin);
    expect(list.at(-1)!.id).toBe(agency.id); // archived ones last
    const offeredNow = (await call(t.app, s.dsl, 'GET', '/api/referral-agencies')).json<{
      items: { id: string }[];
    }>().items;
    expect(offeredNow.map((a) => a.id)).not.toContain(agency.id);
    const refused = await call(t.app, s.dsl, 'POST', '/api/referrals', {
      pupilId: s.pupil.id,
      agencyId: agency.id,
      referredAt: new Date().toISOString(),
    });
    expect(refused.statusCode).toBe(400);
    expect(
      (await call(t.app, s.dsl, 'GET', `/api/referrals/${made.id}`)).json<{ agency: string }>()
        .agency,
    ).toBe('Young carers');

    const restored = await call(
      t.app,
      s.admin,
      'PATCH',
      `/api/admin/referral-agencies/${agency.id}`,
      {
        archived: false,
      },
    );
    expect(restored.json<Agency>().archived).toBe(false);

    expect(await auditActions(s.schoolId, agency.id)).toEqual([
      'referral_agency.created',
      'referral_agency.updated',
      'referral_agency.updated',
      'referral_agency.archived',
      'referral_agency.restored',
    ]);
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const s = await school();
    const before = await agencies(s.admin);
    const post = (body: unknown) =>
      call(t.app, s.admin, 'POST', '/api/admin/referral-agencies', body);

    const duplicate = await post({ name: "CHILDREN'S SOCIAL CARE", expectedResponseHours: 24 });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json<Err>().error.message).toBe('An agency with that name already exists.');

    for (const hours of [-5, 0, 9000]) {
      const bad = await post({ name: 'Counselling', expectedResponseHours: hours });
      expect(bad.statusCode, `${hours}`).toBe(400);
      expect(bad.json<Err>().error.message).toMatch(/whole number of hours from 1 to 8760/);
    }
    const fraction = await post({ name: 'Counselling', expectedResponseHours: 1.5 });
    expect(fraction.statusCode).toBe(400);
    expect(fraction.json<Err>().error.message).toMatch(/expectedResponseHours/);
    const blank = await post({ name: '   ', expectedResponseHours: null });
    expect(blank.statusCode).toBe(400);
    expect(blank.json<Err>().error.message).toBe('Give the agency a name.');
    const missing = await post({ name: 'Counselling' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<Err>().error.message).toMatch(/expectedResponseHours/);
    expect(await agencies(s.admin)).toEqual(before);

    // Renaming onto another agency's name, even an archived one, is refused too.
    const police = before.find((a) => a.name === 'Police')!;
    const lado = before.find((a) => a.name === 'LADO')!;
    const clash = await call(t.app, s.admin, 'PATCH', `/api/admin/referral-agencies/${lado.id}`, {
      name: 'police',
    });
    expect(clash.statusCode).toBe(409);
    await call(t.app, s.admin, 'PATCH', `/api/admin/referral-agencies/${police.id}`, {
      archived: true,
    });
    const archivedClash = await post({ name: 'Police', expectedResponseHours: 24 });
    expect(archivedClash.statusCode).toBe(409);
    expect(archivedClash.json<Err>().error.message).toMatch(/archived agency .* restore it/);
    const empty = await call(
      t.app,
      s.admin,
      'PATCH',
      `/api/admin/referral-agencies/${lado.id}`,
      {},
    );
    expect(empty.statusCode).toBe(400);
    const negative = await call(
      t.app,
      s.admin,
      'PATCH',
      `/api/admin/referral-agencies/${lado.id}`,
      {
        expectedResponseHours: -1,
      },
    );
    expect(negative.statusCode).toBe(400);
    // Changing only the case of its own name is allowed.
    const recased = await call(t.app, s.admin, 'PATCH', `/api/admin/referral-agencies/${lado.id}`, {
      name: 'Lado',
    });
    expect(recased.statusCode, recased.body).toBe(200);
    const now = await agencies(s.admin);
    expect(now.find((a) => a.id === lado.id)).toMatchObject({
      name: 'Lado',
      expectedResponseHours: lado.expectedResponseHours,
    });
  });

  it("is another school's agency: not found, and unchanged", async () => {
    const a = await school();
    const b = await school();
    const theirs = (await agencies(b.admin))[0]!;
    const res = await call(t.app, a.admin, 'PATCH', `/api/admin/referral-agencies/${theirs.id}`, {
      name: 'Taken over',
    });
    expect(res.statusCode).toBe(404);
    const referral = await call(t.app, a.dsl, 'POST', '/api/referrals', {
      pupilId: a.pupil.id,
      agencyId: theirs.id,
      referredAt: new Date().toISOString(),
    });
    expect(referral.statusCode).toBe(400);
    expect((await agencies(b.admin))[0]).toEqual(theirs);
    expect(JSON.stringify(await agencies(a.admin))).not.toContain(theirs.id);
  });
});
