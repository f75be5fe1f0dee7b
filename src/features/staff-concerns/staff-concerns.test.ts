// Concerns about adults over HTTP (issue 19), on both engines: anyone raises one and keeps a
// receipt; routing to the headteacher or, about the head, the chair of governors; triage by the
// case manager with the LADO clock; the LADO record refused for a low-level concern; KCSIE's five
// outcomes, "malicious" removing the matter and leaving a count; bad input refused with nothing
// written; every read audited; nothing of it in pupil search or chronologies.
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
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import { seedStaffConcerns } from './demo.ts';
import {
  areaSchool,
  joinHeadsGroup as joinHeadsGroupOf,
  type AreaSchool,
} from './staff-concerns-test-kit.ts';
import type {
  Matter,
  MatterList,
  Receipt,
  ReceiptList,
  StaffChoices,
} from '../../shared/schemas/staff-concerns.ts';

let t: TestApp;
const clock = testClock();
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const school = () => areaSchool(t);
type School = AreaSchool;
const joinHeadsGroup = (schoolId: string, userId: string) => joinHeadsGroupOf(t, schoolId, userId);
const trail = async (s: Session) => {
  const res = await call(t.app, s, 'GET', '/api/staff-concerns/audit');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: { matterId: string | null; action: string }[] }>().items;
};

const raise = (s: Session, body: Record<string, unknown>) =>
  call(t.app, s, 'POST', '/api/staff-concerns', { whatHappened: 'Shouted at a pupil.', ...body });
async function raised(s: Session, body: Record<string, unknown>): Promise<Receipt> {
  const res = await raise(s, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Receipt>();
}
const list = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/staff-concerns')).json<MatterList>();
const countRows = async (schoolId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM staff_concerns WHERE school_id = $1)::int +
                (SELECT count(*) FROM staff_concern_lado_contacts WHERE school_id = $1)::int AS n`,
        [schoolId],
      ),
    )
  )[0]!.n;

describe('raising a concern about an adult', () => {
  it('routes by whom it is about, and the raiser then sees only their receipt', async () => {
    const sc = await school();
    const dsl = await sc.member('dsl', 'Dee DSL');
    const colleague = await sc.member('teacher', 'Colin Colleague');
    const staff = (
      await call(t.app, sc.teacher.s, 'GET', '/api/staff-concerns/staff')
    ).json<StaffChoices>();
    const routes = Object.fromEntries(staff.items.map((i) => [i.id, i.routesTo]));
    expect(routes[sc.head.user.id]).toBe('chair');
    expect(routes[dsl.user.id]).toBe('headteacher');

    const low = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: colleague.user.id,
      withholdName: true,
    });
    expect(low.routedTo).toBe('headteacher');
    const aboutHead = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: sc.head.user.id,
    });
    expect(aboutHead.routedTo).toBe('chair');
    const aboutDsl = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: dsl.user.id,
    });
    expect(aboutDsl.routedTo).toBe('headteacher');
    const self = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: sc.teacher.user.id,
    });
    expect(self.routedTo).toBe('headteacher');

    // The raiser: receipts only (no content), and no way into the area.
    const receipts = (
      await call(t.app, sc.teacher.s, 'GET', '/api/staff-concerns/receipts')
    ).json<ReceiptList>();
    expect(receipts.items.map((r) => r.id).sort()).toEqual(
      [low.id, aboutHead.id, aboutDsl.id, self.id].sort(),
    );
    expect(JSON.stringify(receipts)).not.toContain('Shouted');
    expect((await call(t.app, sc.teacher.s, 'GET', '/api/staff-concerns')).statusCode).toBe(403);
    expect(
      (await call(t.app, sc.teacher.s, 'GET', `/api/staff-concerns/${low.id}`)).statusCode,
    ).toBe(403);

    // Each case manager sees what was routed to them, never what names them.
    const headList = (await list(sc.head.s)).items.map((i) => i.id);
    expect(headList.sort()).toEqual([low.id, aboutDsl.id, self.id].sort());
    expect((await list(sc.chair.s)).items.map((i) => i.id)).toEqual([aboutHead.id]);
    expect(
      (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${aboutHead.id}`)).statusCode,
    ).toBe(404);
    const seen = (
      await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${low.id}`)
    ).json<Matter>();
    expect(seen).toMatchObject({
      subjectName: 'Colin Colleague',
      whatHappened: 'Shouted at a pupil.',
      withholdName: true,
      raisedBy: 'Tess Teacher',
    });

    // Sealed at rest: the text is not in the row.
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ what_happened: Buffer }>(`SELECT what_happened FROM staff_concerns WHERE id = $1`, [
        low.id,
      ]),
    );
    expect(row!.what_happened.toString('latin1')).not.toContain('Shouted');
  });

  it('records a supply worker with their agency, and raises a task to inform it', async () => {
    const sc = await school();
    const r = await raised(sc.teacher.s, {
      subjectKind: 'supply',
      subjectName: 'Sam Supply',
      agency: 'Acme Teachers Ltd',
    });
    const m = (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${r.id}`)).json<Matter>();
    expect(m).toMatchObject({ subjectName: 'Sam Supply', agency: 'Acme Teachers Ltd' });
    expect(m.tasks).toEqual([expect.objectContaining({ kind: 'inform_agency', done: false })]);
  });

  it('refuses a concern with no subject, or one from another school, writing nothing', async () => {
    const sc = await school();
    const other = await makeUser(t.services, await makeSchool(t.services), 'teacher');
    const cases: [Record<string, unknown>, number][] = [
      [{ subjectKind: 'staff' }, 400],
      [{ subjectKind: 'volunteer' }, 400],
      [{ subjectKind: 'staff', subjectUserId: other.id }, 400],
      [{ subjectKind: 'agency', subjectName: 'A Worker' }, 400],
      [{ subjectKind: 'staff', subjectUserId: sc.head.user.id, whatHappened: '   ' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await raise(sc.teacher.s, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(errorOf(res).message.length).toBeGreaterThan(10);
    }
    const noSubject = await raise(sc.teacher.s, { subjectKind: 'staff' });
    expect(errorOf(noSubject).message).toMatch(/who the concern is about/);
    const foreign = await raise(sc.teacher.s, { subjectKind: 'staff', subjectUserId: other.id });
    expect(errorOf(foreign).message).toMatch(/not a member of staff of this school/);
    expect(await countRows(sc.schoolId)).toBe(0);
  });
});

describe('triage, the LADO clock and outcomes', () => {
  async function allegation(sc: School, receivedAt?: string) {
    const subject = await sc.member('teacher', 'Alex Accused');
    const r = await raised(sc.teacher.s, { subjectKind: 'staff', subjectUserId: subject.user.id });
    if (receivedAt)
      await unsafeAsOwner(t.services.db, (q) =>
        q.query(`UPDATE staff_concerns SET raised_at = $2 WHERE id = $1`, [r.id, receivedAt]),
      );
    return { id: r.id, subject };
  }
  const triage = (s: Session, id: string, classification: string) =>
    call(t.app, s, 'POST', `/api/staff-concerns/${id}/triage`, {
      classification,
      rationale: 'Spoke to witnesses.',
    });
  const lado = (s: Session, id: string) =>
    call(t.app, s, 'POST', `/api/staff-concerns/${id}/lado-contacts`, {
      officer: 'Lou LADO',
      contactedAt: new Date(Date.now() - 60_000).toISOString(),
      advice: 'Strategy discussion; no suspension.',
      reference: 'LADO-123',
      strategyMeetingOn: '2026-03-17',
      policeInvolved: false,
      socialCareInvolved: true,
      suspension: 'Not suspended',
      reviewOn: '2026-04-01',
    });

  it('"possibly meets" starts the clock: received Fri 13 Mar 2026 15:00, due Mon 16 Mar 17:00', async () => {
    const sc = await school();
    const { id } = await allegation(sc, '2026-03-13T15:00:00Z');
    const res = await triage(sc.head.s, id, 'possibly_meets_threshold');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ ladoDueAt: string }>().ladoDueAt).toBe('2026-03-16T17:00:00.000Z');
    const row = (await list(sc.head.s)).items.find((i) => i.id === id)!;
    expect(row.lado).toEqual({ dueAt: '2026-03-16T17:00:00.000Z', met: false, overdue: true });
    expect(row.allowed).toContain('record_lado');

    const recorded = await lado(sc.head.s, id);
    expect(recorded.statusCode, recorded.body).toBe(201);
    const m = (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`)).json<Matter>();
    expect(m.lado).toMatchObject({ met: true, overdue: false });
    expect(m.ladoContacts[0]).toMatchObject({
      officer: 'Lou LADO',
      reference: 'LADO-123',
      socialCareInvolved: true,
      reviewOn: '2026-04-01',
    });
  });

  it('refuses a LADO record for a low-level concern, and an outcome outside the five', async () => {
    const sc = await school();
    const { id } = await allegation(sc);
    expect((await triage(sc.head.s, id, 'low_level')).statusCode).toBe(200);
    const before = await countRows(sc.schoolId);
    const refused = await lado(sc.head.s, id);
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused).message).toMatch(/not for a low-level concern/);
    expect(await countRows(sc.schoolId)).toBe(before);
    expect((await triage(sc.head.s, id, 'possibly_meets_threshold')).statusCode).toBe(200);
    const wrong = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/outcome`, {
      outcome: 'proven',
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toMatch(/substantiated, false, malicious/);
    const ok = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/outcome`, {
      outcome: 'unsubstantiated',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const copy = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/copy-given`, {
      givenOn: '2026-01-05',
    });
    expect(copy.statusCode, copy.body).toBe(200);
    const m = (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`)).json<Matter>();
    expect(m).toMatchObject({ outcome: 'unsubstantiated', copyGivenOn: '2026-01-05' });
  });

  it('refuses a downgrade once the LADO clock has started, keeping the first rationale', async () => {
    const sc = await school();
    const { id } = await allegation(sc);
    expect((await triage(sc.head.s, id, 'possibly_meets_threshold')).statusCode).toBe(200);
    for (const to of ['low_level', 'not_a_concern']) {
      const res = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/triage`, {
        classification: to,
        rationale: 'On reflection, nothing in it.',
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(errorOf(res).message).toMatch(/LADO clock has started, so it cannot be downgraded/);
    }
    expect((await lado(sc.head.s, id)).statusCode).toBe(201);
    expect((await triage(sc.head.s, id, 'low_level')).statusCode).toBe(409);
    const m = (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${id}`)).json<Matter>();
    expect(m).toMatchObject({
      classification: 'possibly_meets_threshold',
      rationale: 'Spoke to witnesses.',
    });
    expect(m.lado).toMatchObject({ met: true });
  });

  it("takes the copy-given date against the school's date, not UTC's (00:30 BST)", async () => {
    // 23:30 UTC on 10 June 2027 is 00:30 on 11 June in London.
    clock.set(new Date('2027-06-10T23:30:00Z'));
    try {
      const sc = await school();
      const { id } = await allegation(sc);
      const given = (givenOn: string) =>
        call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/copy-given`, { givenOn });
      expect((await given('2027-06-12')).statusCode).toBe(400);
      const today = await given('2027-06-11');
      expect(today.statusCode, today.body).toBe(200);
    } finally {
      clock.set(new Date());
    }
  });

  it('"malicious" removes the matter from the member\'s file, keeping a count', async () => {
    const sc = await school();
    // The subject is an acting co-head, so a case manager: once the matter is removed (and its
    // subject cleared) it must still never reach them, in the list, a read or the audit trail.
    const { id, subject } = await allegation(sc);
    await joinHeadsGroup(sc.schoolId, subject.user.id);
    const former = await signIn(t.app, subject.user, { elevated: true });
    await triage(sc.head.s, id, 'possibly_meets_threshold');
    expect((await lado(sc.head.s, id)).statusCode).toBe(201);
    const res = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${id}/outcome`, {
      outcome: 'malicious',
    });
    expect(res.json()).toEqual({ outcome: 'malicious', removed: true });
    const after = await list(sc.head.s);
    expect(after.items.map((i) => i.id)).not.toContain(id);
    expect(after.removedAsMalicious).toBe(1);
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `SELECT subject_user_id, subject_name, what_happened, rationale,
           (SELECT count(*)::int FROM staff_concern_lado_contacts WHERE staff_concern_id = $1) AS lado
         FROM staff_concerns WHERE id = $1`,
        [id],
      ),
    );
    expect(row).toEqual({
      subject_user_id: null,
      subject_name: null,
      what_happened: null,
      rationale: null,
      lado: 0,
    });
    expect((await list(former)).items.map((i) => i.id)).not.toContain(id);
    expect((await call(t.app, former, 'GET', `/api/staff-concerns/${id}`)).statusCode).toBe(404);
    expect((await trail(former)).filter((e) => e.matterId === id)).toEqual([]);
    expect((await trail(sc.head.s)).filter((e) => e.matterId === id)).toEqual([]);
  });
});

describe('self-exclusion: whoever is named is refused every read, whatever their role', () => {
  it('a DSL who is also a case manager, once named, gets 404 on every route and no list row', async () => {
    const sc = await school();
    const dsl = await sc.member('dsl', 'Dana DSL');
    // Dana is also in the headteacher's group (an acting co-head): a case manager of the area.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT school_id, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'headteacher'`,
        [sc.schoolId, dsl.user.id],
      ),
    );
    const danaSession = await signIn(t.app, dsl.user, { elevated: true });
    const about = await raised(sc.teacher.s, { subjectKind: 'staff', subjectUserId: dsl.user.id });
    const other = await raised(sc.teacher.s, { subjectKind: 'volunteer', subjectName: 'Val' });
    expect(about.routedTo).toBe('headteacher');
    // The head reads it and acts on it.
    expect(
      (await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${about.id}`)).statusCode,
    ).toBe(200);
    // Dana: the list leaves it out (SQL), every read and act on it is a 404 (policy).
    const hers = await list(danaSession);
    expect(hers.items.map((i) => i.id)).toEqual([other.id]);
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/staff-concerns/${about.id}`],
      [
        'POST',
        `/api/staff-concerns/${about.id}/triage`,
        { classification: 'low_level', rationale: 'x' },
      ],
      [
        'POST',
        `/api/staff-concerns/${about.id}/lado-contacts`,
        { officer: 'o', contactedAt: new Date().toISOString(), advice: 'a' },
      ],
      ['POST', `/api/staff-concerns/${about.id}/outcome`, { outcome: 'false' }],
      ['POST', `/api/staff-concerns/${about.id}/copy-given`, { givenOn: '2026-01-01' }],
    ];
    for (const [method, url, body] of routes) {
      const res = await call(t.app, danaSession, method as 'GET' | 'POST', url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
    }
    // The audit trail of the area: the head sees the entries about Dana's matter, Dana does not.
    expect((await trail(sc.head.s)).some((e) => e.matterId === about.id)).toBe(true);
    const danas = await trail(danaSession);
    expect(danas.some((e) => e.matterId === about.id)).toBe(false);
    expect(danas.some((e) => e.matterId === other.id)).toBe(true);
  });

  it('audits every read, and keeps the area out of pupil search and chronologies', async () => {
    const sc = await school();
    const dsl = await sc.member('dsl');
    const pupil = await makePupil(t.services, sc.schoolId);
    const r = await raised(sc.teacher.s, {
      subjectKind: 'contractor',
      subjectName: 'Carl Contractor',
      whatHappened: `Zanzibarish remark near ${pupil.name}.`,
    });
    await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${r.id}`);
    await list(sc.head.s);
    const actions = (await auditRows(t, sc.schoolId)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'staff_concerns.raised',
        'staff_concerns.viewed',
        'staff_concerns.listed',
      ]),
    );
    for (const s of [dsl.s, sc.head.s]) {
      const found = await call(t.app, s, 'POST', '/api/search', { q: 'Zanzibarish' });
      expect(found.statusCode, found.body).toBe(200);
      expect(found.json<{ count: number }>().count).toBe(0);
      const chron = await call(t.app, s, 'GET', `/api/pupils/${pupil.id}/chronology`);
      expect(chron.statusCode, chron.body).toBe(200);
      expect(chron.body).not.toContain('Zanzibarish');
      expect(chron.body).not.toContain(r.id);
    }
  });
});

describe("the area's audit trail follows routing", () => {
  it('shows the head no entry of any kind once a matter is about the head', async () => {
    const sc = await school();
    const about = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: sc.head.user.id,
    });
    expect(about.routedTo).toBe('chair');
    await list(sc.chair.s);
    await call(t.app, sc.chair.s, 'GET', `/api/staff-concerns/${about.id}`);
    await call(t.app, sc.chair.s, 'GET', '/api/staff-concerns/audit');
    expect(await trail(sc.head.s)).toEqual([]);
    // The chair sees the matter's entries, and no untargeted entry (who listed when).
    const chairs = await trail(sc.chair.s);
    expect(chairs.some((e) => e.matterId === about.id)).toBe(true);
    expect(chairs.every((e) => e.matterId === about.id)).toBe(true);
  });

  it('shows a co-head nothing routed to the chair, and the chair nothing routed to the head', async () => {
    const sc = await school();
    const coHead = await sc.member('teacher', 'Cora CoHead');
    await joinHeadsGroup(sc.schoolId, coHead.user.id);
    const coHeadSession = await signIn(t.app, coHead.user, { elevated: true });
    const toChair = await raised(sc.teacher.s, {
      subjectKind: 'staff',
      subjectUserId: sc.head.user.id,
    });
    const toHead = await raised(sc.teacher.s, { subjectKind: 'volunteer', subjectName: 'Val' });
    expect([toChair.routedTo, toHead.routedTo]).toEqual(['chair', 'headteacher']);
    await call(t.app, sc.chair.s, 'GET', `/api/staff-concerns/${toChair.id}`);
    await call(t.app, sc.head.s, 'GET', `/api/staff-concerns/${toHead.id}`);
    const coHeads = await trail(coHeadSession);
    expect(coHeads.some((e) => e.matterId === toHead.id)).toBe(true);
    expect(coHeads.filter((e) => e.matterId !== toHead.id)).toEqual([]);
    const chairs = await trail(sc.chair.s);
    expect(chairs.some((e) => e.matterId === toChair.id)).toBe(true);
    expect(chairs.filter((e) => e.matterId !== toChair.id)).toEqual([]);
  });
});

describe('another school', () => {
  it("finds none of this school's matters, even as its case manager", async () => {
    const a = await school();
    const b = await school();
    const r = await raised(a.teacher.s, { subjectKind: 'volunteer', subjectName: 'Vic' });
    for (const [method, url, body] of [
      ['GET', `/api/staff-concerns/${r.id}`],
      [
        'POST',
        `/api/staff-concerns/${r.id}/triage`,
        { classification: 'low_level', rationale: 'x' },
      ],
      ['POST', `/api/staff-concerns/${r.id}/copy-given`, { givenOn: '2026-01-01' }],
    ] as const) {
      const res = await call(t.app, b.head.s, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await list(b.head.s)).items).toEqual([]);
  });

  it('the chair of governors can do nothing else: no pupils, no search, no records', async () => {
    const sc = await school();
    const pupil = await makePupil(t.services, sc.schoolId);
    const [category] = await categoryIds(t.services, sc.schoolId);
    for (const [method, url, body] of [
      ['GET', `/api/pupils/${pupil.id}/chronology`],
      ['POST', '/api/search', { q: 'anything' }],
      [
        'POST',
        '/api/concerns',
        {
          pupils: [{ pupilId: pupil.id, role: 'subject' }],
          categoryIds: [category!.id],
          happenedAt: new Date(Date.now() - 60_000).toISOString(),
          body: 'Not the chair’s to log.',
        },
      ],
      ['GET', '/api/retention/schedule'],
    ] as const) {
      const res = await call(t.app, sc.chair.s, method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
    }
  });
});

describe('the demo data', () => {
  it('seeds one low-level concern and one allegation with its LADO clock, for the head', async () => {
    const sc = await school();
    const colleague = await sc.member('teacher', 'Demo Colleague');
    const dsl = await sc.member('dsl', 'Demo DSL');
    await seedStaffConcerns(t.services, sc.schoolId, {
      raiser: sc.teacher.user.id,
      colleague: colleague.user.id,
      dsl: dsl.user.id,
      head: sc.head.user.id,
    });
    const items = (await list(sc.head.s)).items;
    expect(items.map((i) => i.classification).sort()).toEqual([
      'low_level',
      'possibly_meets_threshold',
    ]);
    expect(items.find((i) => i.classification === 'possibly_meets_threshold')!.lado).not.toBeNull();
    expect((await call(t.app, dsl.s, 'GET', '/api/staff-concerns')).statusCode).toBe(403);
  });
});

describe('the school-set clock time and the patterns review', () => {
  it('moves the LADO clock to the time the school sets', async () => {
    const sc = await school();
    const bad = await call(t.app, sc.head.s, 'PATCH', '/api/staff-concerns/settings', {
      ladoDueTime: '25:00',
    });
    expect(bad.statusCode).toBe(400);
    const set = await call(t.app, sc.head.s, 'PATCH', '/api/staff-concerns/settings', {
      ladoDueTime: '16:30',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ ladoDueTime: '16:30', patternCount: 3 });
    const r = await raised(sc.teacher.s, { subjectKind: 'volunteer', subjectName: 'Vera' });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE staff_concerns SET raised_at = '2026-03-13T15:00:00Z' WHERE id = $1`, [r.id]),
    );
    const res = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${r.id}/triage`, {
      classification: 'possibly_meets_threshold',
      rationale: 'Check.',
    });
    expect(res.json()).toEqual({ ladoDueAt: '2026-03-16T16:30:00.000Z' });
    const teacher = await call(t.app, sc.teacher.s, 'PATCH', '/api/staff-concerns/settings', {
      patternCount: 2,
    });
    expect(teacher.statusCode).toBe(403);
  });

  it('counts low-level concerns per member over 12 rolling months, flagged at the threshold', async () => {
    const sc = await school();
    const often = await sc.member('teacher', 'Olly Often');
    const once = await sc.member('teacher', 'Una Once');
    const lowAbout = async (userId: string, raisedAt?: string) => {
      const r = await raised(sc.teacher.s, { subjectKind: 'staff', subjectUserId: userId });
      await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${r.id}/triage`, {
        classification: 'low_level',
        rationale: 'Low level.',
      });
      if (raisedAt)
        await unsafeAsOwner(t.services.db, (q) =>
          q.query(`UPDATE staff_concerns SET raised_at = $2 WHERE id = $1`, [r.id, raisedAt]),
        );
    };
    await lowAbout(often.user.id);
    await lowAbout(often.user.id);
    await lowAbout(often.user.id);
    await lowAbout(once.user.id);
    await lowAbout(once.user.id, '2020-01-01T12:00:00Z'); // outside the 12 months
    const review = await call(t.app, sc.head.s, 'GET', '/api/staff-concerns/patterns');
    expect(review.statusCode, review.body).toBe(200);
    expect(review.json<{ items: unknown[] }>().items).toEqual([
      {
        subjectUserId: often.user.id,
        subjectName: 'Olly Often',
        count: 3,
        reconsider: true,
        reason: 'count',
        sameTheme: null,
      },
      {
        subjectUserId: once.user.id,
        subjectName: 'Una Once',
        count: 1,
        reconsider: false,
        reason: null,
        sameTheme: null,
      },
    ]);
  });
});
