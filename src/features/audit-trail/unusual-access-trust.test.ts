// Unusual access by a trust member (issue 20): a trust safeguarding lead holding a school's grant
// who opens more pupils' records in an hour than the school allows raises a signal in THAT school,
// naming them as a trust member (never a member of staff); the alert to the DSL team and the head
// names them and their trust; the DPO drafts a breach from it as from a staff signal; the trust
// lead cannot read the signal (neither through the school's routes nor, under row-level security,
// from their own trust's lane); another school of the trust sees nothing of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { inTrust, inTrustAs, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { hashTrustToken } from '../trust/sessions.ts';
import { auditRows } from '../identity/identity-test-kit.ts';
import { runUnusualAccessScan } from '../../jobs/unusual-access.ts';
import type { UnusualAccess, UnusualAccessRules } from '../../shared/schemas/audit-trail.ts';
import type { AlertList } from '../../shared/schemas/alerts.ts';
import type { BreachDetail } from '../../shared/schemas/data-protection.ts';
import {
  makeTrust,
  makeTrustMember,
  signInTrust,
  type TestTrustMember,
} from '../trust/trust-test-kit.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const RULES: UnusualAccessRules = {
  pupilsPerHour: 3,
  pupilsPerDay: 100,
  refusalsPerHour: 5,
  exportsPerDay: 2,
  schoolHours: null,
};

type World = {
  schoolId: string;
  otherSchoolId: string;
  trustName: string;
  lead: TestTrustMember;
  leadSession: Session;
  head: Session;
  headId: string;
  dsl: Session;
  dslId: string;
  dpo: Session;
  otherHead: Session;
  pupils: { id: string }[];
  grantId: string;
  scan: () => Promise<number>;
};

async function world(): Promise<World> {
  const trust = await makeTrust(t, 2);
  const [schoolId, otherSchoolId] = trust.schoolIds as [string, string];
  const [{ name: trustName }] = (await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ name: string }>('SELECT name FROM trusts WHERE id = $1', [trust.trustId]),
  )) as [{ name: string }];
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dana DSL');
  const headUser = await makeUser(t.services, schoolId, 'headteacher', 'Hal Head');
  const dpoUser = await makeUser(t.services, schoolId, 'dpo', 'Deb DPO');
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const head = await signIn(t.app, headUser, { elevated: true });
  const dpo = await signIn(t.app, dpoUser, { elevated: true });
  const otherHead = await signIn(
    t.app,
    await makeUser(t.services, otherSchoolId, 'headteacher', 'Olu Head'),
    { elevated: true },
  );
  const pupils = [];
  for (let i = 0; i < 5; i++) pupils.push(await makePupil(t.services, schoolId));
  for (const [sid, who] of [
    [schoolId, head],
    [otherSchoolId, otherHead],
  ] as const) {
    const set = await call(t.app, who, 'PUT', '/api/audit/unusual-access/rules', RULES);
    expect(set.statusCode, set.body).toBe(200);
    void sid;
  }
  const lead = await makeTrustMember(t, trust.trustId, 'trust_safeguarding_lead');
  const made = await call(t.app, dsl, 'POST', '/api/trust-grants', {
    memberId: lead.id,
    scope: 'school',
    reason: 'A trust review of the school’s safeguarding records.',
    days: 7,
  });
  expect(made.statusCode, made.body).toBe(200);
  const grantId = made.json<{ id: string }>().id;
  const leadSession = await signInTrust(t, lead);
  const scan = () => runUnusualAccessScan(t.services, new Date(), [schoolId, otherSchoolId]);
  await scan(); // starts watching from here
  return {
    schoolId,
    otherSchoolId,
    trustName,
    lead,
    leadSession,
    head,
    headId: headUser.id,
    dsl,
    dslId: dslUser.id,
    dpo,
    otherHead,
    pupils,
    grantId,
    scan,
  };
}

const openUnderGrant = async (w: World, pupilId: string) => {
  const res = await call(
    t.app,
    w.leadSession,
    'GET',
    `/api/trust/grants/${w.grantId}/pupils/${pupilId}/chronology`,
  );
  expect(res.statusCode, res.body).toBe(200);
};

describe('unusual access by a trust member under a grant', () => {
  it('opening more pupils than the school allows raises a signal and an alert in that school, naming the trust member and trust', async () => {
    const w = await world();
    for (const p of w.pupils.slice(0, 4)) await openUnderGrant(w, p.id);
    expect(await w.scan()).toBe(1);
    expect(await w.scan()).toBe(0); // the same hour: not again

    // The signal names the trust member, not a member of staff.
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ school_id: string; member_id: string | null; trust_member_id: string }>(
        'SELECT school_id, member_id, trust_member_id FROM access_signals WHERE trust_member_id = $1',
        [w.lead.id],
      ),
    );
    expect(row).toMatchObject({ school_id: w.schoolId, member_id: null });

    const view = (
      await call(t.app, w.head, 'GET', '/api/audit/unusual-access')
    ).json<UnusualAccess>();
    expect(view.signals).toHaveLength(1);
    expect(view.signals[0]).toMatchObject({
      rule: 'pupils_per_hour',
      actor: 'trust',
      memberId: w.lead.id,
      member: `Trust trust_safeguarding_lead, trust safeguarding lead, ${w.trustName}`,
      count: 4,
      what: 'opened 4 pupils’ records in an hour',
      allowed: [],
    });

    // The alert reaches the DSL team and the head, and names the trust member and trust.
    for (const s of [w.head, w.dsl]) {
      const alerts = (await call(t.app, s, 'GET', '/api/alerts')).json<AlertList>().items;
      const a = alerts.find((x) => x.kind === 'unusual_access_trust');
      expect(a, JSON.stringify(alerts)).toMatchObject({
        targetType: 'access_signal',
        targetId: view.signals[0]!.id,
        signal: {
          member: `Trust trust_safeguarding_lead, trust safeguarding lead, ${w.trustName}`,
          what: 'opened 4 pupils’ records in an hour',
        },
      });
    }
    const audited = (await auditRows(t, w.schoolId)).filter(
      (r) => r.action === 'audit.unusual_access',
    );
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      target_id: w.lead.id,
      details: { rule: 'pupils_per_hour', observed: 4 },
    });

    // Another school of the same trust sees nothing of it.
    const other = (
      await call(t.app, w.otherHead, 'GET', '/api/audit/unusual-access')
    ).json<UnusualAccess>();
    expect(other.signals).toEqual([]);
  });

  it('a record opened under a grant outside the school’s hours is signalled, naming the trust member', async () => {
    const w = await world();
    // School hours that exclude now: from two hours ahead to three hours ahead (London time).
    const hour = Number(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        hour: '2-digit',
        hourCycle: 'h23',
      }).format(new Date()),
    );
    const at = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    const set = await call(t.app, w.head, 'PUT', '/api/audit/unusual-access/rules', {
      ...RULES,
      schoolHours: { from: at(hour + 2), to: at(hour + 3) },
    });
    expect(set.statusCode, set.body).toBe(200);
    await openUnderGrant(w, w.pupils[0]!.id);
    expect(await w.scan()).toBe(1);
    const view = (
      await call(t.app, w.head, 'GET', '/api/audit/unusual-access')
    ).json<UnusualAccess>();
    expect(view.signals).toHaveLength(1);
    expect(view.signals[0]).toMatchObject({
      rule: 'out_of_hours',
      actor: 'trust',
      memberId: w.lead.id,
      member: `Trust trust_safeguarding_lead, trust safeguarding lead, ${w.trustName}`,
    });
  });

  it('three pupils, at the limit, raise nothing', async () => {
    const w = await world();
    for (const p of w.pupils.slice(0, 3)) await openUnderGrant(w, p.id);
    await openUnderGrant(w, w.pupils[0]!.id); // the same pupil again counts once
    expect(await w.scan()).toBe(0);
  });

  it('the trust lead cannot see the signal; the DPO drafts a breach from it as for staff', async () => {
    const w = await world();
    for (const p of w.pupils.slice(0, 4)) await openUnderGrant(w, p.id);
    expect(await w.scan()).toBe(1);

    // Not through the school's routes (the trust's cookie is no staff session)…
    expect((await call(t.app, w.leadSession, 'GET', '/api/audit/unusual-access')).statusCode).toBe(
      401,
    );
    expect((await call(t.app, w.leadSession, 'GET', '/api/alerts')).statusCode).toBe(401);
    // …nor from the trust's own lane, under row-level security: not without a grant, and not
    // under the live grant either, whose tenant is the school itself (migration 0082's
    // restrictive policies, not tenant_isolation, hide them there).
    const seen = await inTrustAs(
      t.services.db,
      { trustId: w.lead.trustId, memberId: w.lead.id },
      (q) => q.query('SELECT id FROM access_signals'),
    );
    expect(seen).toEqual([]);
    const leadHash = hashTrustToken(
      w.leadSession.cookie.slice(w.leadSession.cookie.indexOf('=') + 1),
    );
    const underGrant = await inTrust(
      t.services.db,
      leadHash,
      async (q) => ({
        pupils: (await q.query('SELECT id FROM pupils')).length,
        signals: await q.query('SELECT id FROM access_signals'),
        watch: await q.query('SELECT school_id FROM access_watch'),
        alerts: await q.query(`SELECT id FROM alerts WHERE kind = 'unusual_access_trust'`),
      }),
      w.grantId,
    );
    // The grant is live (the school's pupils are visible), yet none of the scan's rows are.
    expect(underGrant.pupils).toBeGreaterThan(0);
    expect(underGrant).toMatchObject({ signals: [], watch: [], alerts: [] });

    const [signal] = (
      await call(t.app, w.dpo, 'GET', '/api/audit/unusual-access')
    ).json<UnusualAccess>().signals;
    expect(signal?.allowed).toEqual(['draft_breach']);
    const made = await call(
      t.app,
      w.dpo,
      'POST',
      `/api/audit/unusual-access/signals/${signal!.id}/breach`,
    );
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json<{ id: string }>();
    const breach = (
      await call(t.app, w.dpo, 'GET', `/api/data-protection/breaches/${id}`)
    ).json<BreachDetail>();
    expect(breach).toMatchObject({
      status: 'draft',
      source: 'unusual_access',
      types: ['confidentiality'],
      peopleApprox: 4,
    });
    expect(breach.howAware).toContain(
      `Trust trust_safeguarding_lead, trust safeguarding lead, ${w.trustName}`,
    );
    expect(breach.howAware).toContain('opened 4 pupils’ records in an hour');
    const again = await call(
      t.app,
      w.dpo,
      'POST',
      `/api/audit/unusual-access/signals/${signal!.id}/breach`,
    );
    expect(again.statusCode).toBe(409);
  });

  it('repeated refusals under a one-pupil grant (other pupils asked for) are signalled too', async () => {
    const w = await world();
    const made = await call(t.app, w.dsl, 'POST', '/api/trust-grants', {
      memberId: w.lead.id,
      scope: 'pupil',
      pupilId: w.pupils[0]!.id,
      reason: 'Reviewing one pupil’s case with the DSL.',
      days: 7,
    });
    expect(made.statusCode, made.body).toBe(200);
    const pupilGrant = made.json<{ id: string }>().id;
    // Five refusals in the hour: the school's limit (refusalsPerHour 5) reached.
    for (const p of [...w.pupils.slice(1), w.pupils[1]!]) {
      const res = await call(
        t.app,
        w.leadSession,
        'GET',
        `/api/trust/grants/${pupilGrant}/pupils/${p.id}/chronology`,
      );
      expect(res.statusCode).toBe(404);
    }
    expect(await w.scan()).toBe(1);
    const [signal] = (
      await call(t.app, w.head, 'GET', '/api/audit/unusual-access')
    ).json<UnusualAccess>().signals;
    expect(signal).toMatchObject({
      rule: 'refusals',
      actor: 'trust',
      memberId: w.lead.id,
      count: 5,
      what: 'was refused 5 times in an hour',
    });
  });

  it('a signal names exactly one actor (the database refuses neither or both)', async () => {
    const w = await world();
    const insert = (member: string | null, trustMember: string | null) =>
      unsafeAsOwner(t.services.db, (q) =>
        q.query(
          `INSERT INTO access_signals (id, school_id, rule, member_id, trust_member_id, window_key,
             observed, raised_at) VALUES (gen_random_uuid(), $1, 'exports', $2, $3, 'w', 1, now())`,
          [w.schoolId, member, trustMember],
        ),
      );
    await expect(insert(null, null)).rejects.toThrow(/access_signals_one_actor/);
    await expect(insert(w.dslId, w.lead.id)).rejects.toThrow(/access_signals_one_actor/);
  });
});
