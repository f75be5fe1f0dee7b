// The operator's one notice to every affected school (issue 17). Four schools on one Lantern; an
// address the operator knows was used by an attacker reads records in two of them inside the
// window, one school is read only from elsewhere, and one from the same address but outside the
// window. The dry run names the two schools with their counts, records nothing and tells nobody;
// --confirm records ONE incident and, in each of the two, a draft breach on the 72-hour clock from
// that moment, alerts and emails (through a real SMTP server) the register's holders, with no
// pupil, record or incident words in the email; a second run tells nobody twice. Other scopes: a
// compromised account, a process (an MIS API key); and refusals that record nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '../../../test/harness.ts';
import { asSystem } from '../../../core/context.ts';
import { DomainError } from '../../../core/errors.ts';
import { PLATFORM_SCHOOL_ID, unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { drainWork, startMailTrap, type MailTrap } from '../../identity/identity-test-kit.ts';
import type { BreachDetail, BreachList } from '../../../shared/schemas/data-protection.ts';
import { appendAuditEntries } from '../../../platform/audit/chain.ts';
import { makeTrust, makeTrustMember } from '../../trust/trust-test-kit.ts';
import { notifyIncident } from './notify.ts';
import type { IncidentInput } from './scope.ts';

const T0 = new Date('2025-03-04T09:00:00Z');
const MINUTE = 60_000;
const clock = testClock(T0);
let t: TestApp;
let trap: MailTrap;
beforeAll(async () => {
  trap = await startMailTrap();
  t = await testApp({
    clock,
    config: { logLevel: 'error', smtpUrl: trap.url, publicOrigin: 'https://lantern.test' },
  });
});
afterAll(async () => {
  await t.close();
  await trap.close();
});

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));

/** An address of the test's own, so no other test's entries (or run's) fall in its scope. */
const network = () => `2001:db8:bad:${randomBytes(2).toString('hex')}`;

async function school(name: string) {
  const id = await makeSchool(t.services, `${name} ${randomUUID().slice(0, 6)}`);
  const dpo = await makeUser(t.services, id, 'dpo', 'Dana Protector');
  const dsl = await makeUser(t.services, id, 'dsl', 'Dee Lead');
  const dslSession = await signIn(t.app, dsl, { elevated: true });
  const [{ name: full } = { name: '' }] = await owner<{ name: string }>(
    'SELECT name FROM schools WHERE id = $1',
    [id],
  );
  return { id, name: full, dpo, dsl, dslSession };
}

/** A request from `ip` in the member's session, as a browser at that address would make it. */
function from(ip: string, s: Session, method: 'GET' | 'POST', url: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    remoteAddress: ip,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    ...(payload ? { payload } : {}),
  });
}

async function concernFrom(ip: string, s: Awaited<ReturnType<typeof school>>, pupilId: string) {
  const category = (await categoryIds(t.services, s.id)).find((c) => !c.restricted)!;
  const res = await from(ip, s.dslSession, 'POST', '/api/concerns', {
    pupils: [{ pupilId, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt: new Date(clock.now().getTime() - MINUTE).toISOString(),
    body: 'Maisie said she was frightened to go home.',
  });
  expect(res.statusCode, res.body).toBe(201);
}

const facts = (over: Partial<IncidentInput> = {}): IncidentInput => ({
  reference: `INC-${randomUUID().slice(0, 8)}`,
  title: 'Administrator session stolen at the hosting provider',
  description:
    'An attacker used a stolen session from a network we traced between 09:00 and 10:00.',
  types: ['confidentiality'],
  started: T0.toISOString(),
  ended: new Date(T0.getTime() + 60 * MINUTE).toISOString(),
  aware: new Date(T0.getTime() + 120 * MINUTE).toISOString(),
  ...over,
});

const breachesOf = (schoolId: string) =>
  owner<{ id: string; source: string; operator_incident_id: string | null }>(
    `SELECT id, source, operator_incident_id FROM dp_breaches WHERE school_id = $1`,
    [schoolId],
  );

describe("the operator's incident notice", () => {
  it('finds the affected schools from their audit trails, then tells each once', async () => {
    const bad = network();
    const attacker = `${bad}::7`;
    clock.set(new Date(T0.getTime() - 3 * 60 * MINUTE));
    const [ash, beech, cedar, dale] = [
      await school('Ashgrove Primary'),
      await school('Beech Academy'),
      await school('Cedar Infants'),
      await school('Dale Juniors'),
    ];
    const pupil = (s: { id: string }, firstName: string) =>
      makePupil(t.services, s.id, { firstName, lastName: 'Pennywhistle' });
    const [a1, a2, b1, b2, c1, d1] = [
      await pupil(ash, 'Maisie'),
      await pupil(ash, 'Ollie'),
      await pupil(beech, 'Priya'),
      await pupil(beech, 'Priscilla'),
      await pupil(cedar, 'Tom'),
      await pupil(dale, 'Zara'),
    ];
    // Dale: the same address, two hours before the window.
    await concernFrom(attacker, dale, d1.id);
    // Inside the window.
    clock.set(new Date(T0.getTime() + 10 * MINUTE));
    for (const s of [ash, beech, cedar, dale])
      Object.assign(s, { dslSession: await signIn(t.app, s.dsl, { elevated: true }) });
    await concernFrom(attacker, ash, a1.id);
    expect(
      (await from(attacker, ash.dslSession, 'GET', `/api/pupils/${a2.id}/chronology`)).statusCode,
    ).toBe(200);
    expect(
      (await from(attacker, beech.dslSession, 'GET', `/api/pupils/${b1.id}/chronology`)).statusCode,
    ).toBe(200);
    // A search shows the attacker Priscilla: she counts as touched, as Priya, whose record was read.
    const found = await from(attacker, beech.dslSession, 'POST', '/api/pupils/search', {
      q: 'Pris',
    });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.body).toContain(b2.id);
    // Cedar: read inside the window, but from the school's own address.
    await concernFrom('2001:db8:5c::1', cedar, c1.id);
    clock.set(new Date(T0.getTime() + 3 * 60 * MINUTE));

    const input = facts({ addresses: [`${bad}::/64`] });
    const entries = async (schoolId: string) =>
      (
        await owner<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE school_id = $1 AND ip = $2
             AND at BETWEEN $3 AND $4`,
          [schoolId, attacker, T0, new Date(T0.getTime() + 60 * MINUTE)],
        )
      )[0]!.n;

    // The dry run: the two schools, their counts; nothing recorded, nobody told.
    const dry = await notifyIncident(t.services, input, { confirm: false });
    expect(dry.schools.map((s) => [s.name, s.status, s.pupils, s.records])).toEqual([
      [ash.name, 'would_tell', 2, 2],
      [beech.name, 'would_tell', 2, 1],
    ]);
    expect(dry.schools[0]!.entries).toBe(await entries(ash.id));
    expect(dry.schools[1]!.entries).toBe(await entries(beech.id));
    expect(dry.id).toBeNull();
    expect(
      await owner('SELECT 1 FROM operator_incidents WHERE reference = $1', [input.reference]),
    ).toEqual([]);
    for (const s of [ash, beech]) expect(await breachesOf(s.id)).toEqual([]);
    await drainWork(t);
    const before = trap.messages.length;

    // --confirm: one incident, a draft in each affected school, its holders alerted and emailed.
    const done = await notifyIncident(t.services, input, { confirm: true });
    expect(done.recorded).toBe(true);
    expect(done.schools.map((s) => [s.name, s.status, s.alerted, s.emailed])).toEqual([
      [ash.name, 'told', 1, 1],
      [beech.name, 'told', 1, 1],
    ]);
    const incidents = await owner<{ id: string; scope: { addresses: string[] } }>(
      'SELECT id, scope FROM operator_incidents WHERE reference = $1',
      [input.reference],
    );
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.scope.addresses).toEqual([`${bad}::/64`]);
    for (const s of [ash, beech])
      expect(await breachesOf(s.id)).toEqual([
        expect.objectContaining({ source: 'operator_incident', operator_incident_id: done.id }),
      ]);
    for (const s of [cedar, dale]) expect(await breachesOf(s.id)).toEqual([]);

    // The emails: to each affected school's DPO only; the school and a link, nothing recorded.
    await drainWork(t);
    const mails = trap.messages.slice(before);
    expect(mails.map((m) => m.to).sort()).toEqual([[ash.dpo.email], [beech.dpo.email]].sort());
    expect(mails.every((m) => m.text.includes('Security incident notice'))).toBe(true);
    // Headers unfolded (a long subject is folded onto two lines).
    const toAsh = (await trap.to(ash.dpo.email, before)).replace(/\r?\n(?=[ \t])/g, '');
    expect(toAsh).toContain(`Security incident notice from your Lantern operator: ${ash.name}`);
    expect(toAsh).toContain('https://lantern.test/data-protection/breaches');
    expect(toAsh).toContain('72 hours');
    for (const m of mails)
      for (const secret of ['Maisie', 'Pennywhistle', 'frightened', 'stolen session', bad])
        expect(m.text).not.toContain(secret);

    // The DPO's register: a draft, aware (and the 72 hours running) from when the school was told.
    const dpo = await signIn(t.app, ash.dpo, { elevated: true });
    const list = (
      await call(t.app, dpo, 'GET', '/api/data-protection/breaches')
    ).json<BreachList>();
    expect(list.items).toEqual([
      expect.objectContaining({
        status: 'draft',
        source: 'operator_incident',
        becameAwareAt: clock.now().toISOString(),
        icoDueAt: new Date(clock.now().getTime() + 72 * 60 * MINUTE).toISOString(),
        types: ['confidentiality'],
      }),
    ]);
    const detail = (
      await call(t.app, dpo, 'GET', `/api/data-protection/breaches/${list.items[0]!.id}`)
    ).json<BreachDetail>();
    expect(detail.howAware).toContain('“Administrator session stolen at the hosting provider”');
    expect(detail.howAware).toContain(input.description!);
    expect(detail.howAware).toContain(`reference ${input.reference}`);
    expect(detail.howAware).toContain(`${dry.schools[0]!.entries} entries match`);
    expect(detail.howAware).toContain('about 2 records and 2 pupils');
    expect(detail.howAware).not.toContain(beech.name);
    expect(detail).toMatchObject({
      occurredFrom: T0.toISOString(),
      occurredTo: input.ended,
      peopleApprox: 2,
      recordsApprox: 2,
    });
    const alerts = await owner<{ kind: string; recipient_id: string }>(
      `SELECT kind, recipient_id FROM alerts WHERE school_id = $1 AND target_id = $2`,
      [ash.id, list.items[0]!.id],
    );
    expect(alerts).toEqual([{ kind: 'dp_breach_drafted', recipient_id: ash.dpo.id }]);
    const audit = await owner<{ actor_label: string; details: Record<string, unknown> }>(
      `SELECT actor_label, details FROM audit_events WHERE school_id = $1
         AND action = 'dp.operator_incident_notified'`,
      [ash.id],
    );
    expect(audit).toEqual([
      {
        actor_label: `operator incident ${input.reference}`,
        details: {
          incident: done.id,
          reference: input.reference,
          entries: dry.schools[0]!.entries,
          pupils: 2,
          records: 2,
          alerted: 1,
          emailed: 1,
        },
      },
    ]);

    // The platform's own chain: each reading of the trails, and the one incident recorded.
    const platform = await owner<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_events WHERE school_id = $1 AND details->>'reference' = $2
       ORDER BY seq`,
      [PLATFORM_SCHOOL_ID, input.reference],
    );
    expect(platform).toEqual([
      { action: 'operator.incident_checked', details: { reference: input.reference, schools: 2 } },
      { action: 'operator.incident_checked', details: { reference: input.reference, schools: 2 } },
      {
        action: 'operator.incident_recorded',
        details: { incident: done.id, reference: input.reference, schools: 2 },
      },
    ]);
    // The application's login has no right on the platform's table, even inside a school.
    await expect(
      asSystem(t.services, ash.id, 'scheduled').tx((x) => x.q('SELECT * FROM operator_incidents')),
    ).rejects.toThrow(/permission denied/);

    // Again: the same incident by its reference tells nobody twice.
    const again = await notifyIncident(
      t.services,
      { reference: input.reference },
      { confirm: true },
    );
    expect(again.recorded).toBe(false);
    expect(again.schools.map((s) => s.status)).toEqual(['already_told', 'already_told']);
    for (const s of [ash, beech]) expect(await breachesOf(s.id)).toHaveLength(1);
    await drainWork(t);
    const notices = trap.messages.filter((m) => m.text.includes('Security incident notice'));
    expect(notices).toHaveLength(2);
    // …and its facts cannot be changed under the same reference.
    await expect(
      notifyIncident(t.services, { ...input, title: 'Something else' }, { confirm: true }),
    ).rejects.toThrow(/was recorded on .* cannot change/);
    await expect(
      notifyIncident(
        t.services,
        { reference: input.reference, by: 'Someone Else Ltd' },
        { confirm: true },
      ),
    ).rejects.toThrow(/was recorded on .* cannot change/);
  });

  it('scopes by a compromised account, or by a process such as an MIS API key', async () => {
    clock.set(new Date(T0.getTime() + 20 * MINUTE));
    const [elm, fir] = [await school('Elm Primary'), await school('Fir Academy')];
    const pupil = await makePupil(t.services, elm.id, { firstName: 'Ivy' });
    const stolen = await makeUser(t.services, elm.id, 'dsl', 'Sam Stolen');
    const thief = await signIn(t.app, stolen, { elevated: true });
    expect((await call(t.app, thief, 'GET', `/api/pupils/${pupil.id}/chronology`)).statusCode).toBe(
      200,
    );
    const key = randomUUID();
    await asSystem(t.services, fir.id, 'mis_api_key', key, {
      ip: '198.51.100.9',
      userAgent: 'feed',
    }).tx((x) =>
      x.audit({ action: 'mis.sync_rejected', details: { source: 'push', format: null } }),
    );
    clock.set(new Date(T0.getTime() + 3 * 60 * MINUTE));

    const byAccount = await notifyIncident(
      t.services,
      facts({ accounts: [stolen.email.toUpperCase()], kinds: ['view'] }),
      { confirm: false },
    );
    expect(byAccount.schools.map((s) => [s.name, s.pupils])).toEqual([[elm.name, 1]]);
    expect(byAccount.scopeWords).toContain(`by the account ${stolen.email}`);

    const byProcess = await notifyIncident(t.services, facts({ process: `MIS API key ${key}` }), {
      confirm: true,
    });
    expect(byProcess.schools.map((s) => [s.name, s.entries, s.status])).toEqual([
      [fir.name, 1, 'told'],
    ]);
    // Nobody holds Fir's register but its DPO: one alert, one email.
    expect(byProcess.schools[0]).toMatchObject({ alerted: 1, emailed: 1 });
  });

  it("finds a trust member's reads in every school of the trust, by their email", async () => {
    clock.set(new Date(T0.getTime() + 20 * MINUTE));
    const trust = await makeTrust(t, 3);
    const [a, b, c] = trust.schoolIds as [string, string, string];
    const lead = await makeTrustMember(t, trust.trustId, 'trust_safeguarding_lead');
    const pupils = [await makePupil(t.services, a), await makePupil(t.services, b)];
    // Exactly what a trust member's read under a grant writes (core/trust-context.ts): no
    // actor_id, the member's label, and the member named in the details.
    for (const [schoolId, pupil] of [
      [a, pupils[0]!],
      [b, pupils[1]!],
    ] as const)
      await unsafeAsOwner(t.services.db, (q) =>
        appendAuditEntries(
          q,
          schoolId,
          [
            {
              actor: {
                actorId: null,
                actorLabel: 'Trust: Trust lead (trust safeguarding lead)',
                ip: '192.0.2.44',
                userAgent: 'browser',
                trustMemberId: lead.id,
              },
              event: { action: 'pupil.chronology_viewed', targetType: 'pupil', targetId: pupil.id },
            },
          ],
          clock.now(),
        ),
      );
    clock.set(new Date(T0.getTime() + 3 * 60 * MINUTE));
    const found = await notifyIncident(
      t.services,
      facts({ accounts: [lead.email.toUpperCase()], schools: [a, b, c] }),
      { confirm: false },
    );
    expect(found.schools.map((s) => [s.schoolId, s.entries, s.pupils]).sort()).toEqual(
      [
        [a, 1, 1],
        [b, 1, 1],
      ].sort(),
    );
  });

  it('refuses an incident it cannot place, with the reason, and records nothing', async () => {
    clock.set(new Date(T0.getTime() + 3 * 60 * MINUTE));
    const cases: [Partial<IncidentInput>, RegExp][] = [
      [{ started: '2025-03-04 09:00' }, /with its zone, such as 2026-12-01T09:30Z/],
      [{ started: '2031-01-01T00:00Z' }, /cannot be in the future/],
      [{ ended: '2025-03-04T08:00Z' }, /cannot end \(--ended\) before it started/],
      [{ title: '  ' }, /Give the incident a title/],
      [{ types: ['leak'] }, /confidentiality, integrity, availability/],
      [{ kinds: ['read'] }, /not a kind of access the audit trail records/],
      [{ addresses: ['10.0.0.0/33'] }, /not an IP address or network/],
      [{ accounts: ['someone'] }, /not an email address/],
      [{ accounts: ['sam.stolen@exmaple.invalid'] }, /no trust's member has the account/],
      [{ started: '2025-02-30T09:00Z' }, /is not a date/],
      [{ aware: '2025-03-04T08:00Z' }, /cannot have become aware \(--aware\) before/],
      [{ process: 'cron' }, /not a process Lantern's audit trail names/],
      [{ reference: 'INC 1; DROP' }, /reference of letters, digits/],
    ];
    for (const [over, message] of cases) {
      const input = facts(over);
      const refused = await notifyIncident(t.services, input, { confirm: true }).catch(
        (e: unknown) => e,
      );
      expect(refused, JSON.stringify(over)).toBeInstanceOf(DomainError);
      expect((refused as DomainError).message).toMatch(message);
      expect(
        await owner('SELECT 1 FROM operator_incidents WHERE reference = $1', [input.reference]),
      ).toEqual([]);
    }
  });
});
