// Restricted categories reach case work (issue 11, finding 4). The school closes "Prevent" — a
// restricted category — to its Deputy DSLs, who still manage cases; a class teacher is granted no
// restricted category at all. Case work on a Prevent concern, or on a case holding one, is then
// withheld from them everywhere it could be read (left out of lists, the dashboard, search, the
// chronology and its PDF; "not found" when asked for by id; its sealed text never sent), and they
// cannot add to it or change it. The DSL, granted Prevent, sees and does all of it. Every
// assertion on what the deputy or the teacher sees fails on the code before this change, where
// `case.manage` alone let them see and do everything. Work is handed to the deputy and the
// teacher while CR is still filed under Bullying; the DSL then re-files it under Prevent (as a
// matter can turn out to be), which withholds it from them from then on. Handing new work on a
// restricted matter to someone not granted it is refused (it would vanish from their lists).
//   CR  concern, Prevent (restricted)       KR  case opened from CR, open
//   CR2 concern, Prevent                    KC  case opened from CR2, closed with a rationale
//   CN  concern, Bullying                   KN  case opened from CN, open
//   AR  action on CR, for the deputy        AK  action on case KR, for the teacher
//   AN  action on CN, for the deputy        AT  action on CN, for the teacher
//   FR  referral on case KR, overdue        FN  referral on CN, overdue
//   VR  conversation on CR                  VN  conversation on CN
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
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

/** Words written only into the restricted case work: none may reach the deputy or the teacher. */
const SECRET = {
  action: 'Speak to the Channel panel',
  caseAction: 'Collect the prevent duty pack',
  contact: 'Officer Halloran 07700 900123',
  reference: 'PREV-REF-4471',
  conversation: 'Uncle shares extremist videos',
  rationale: 'Channel panel closed the referral',
};
/** A word in the text of both the restricted and the plain action and conversation. */
const SHARED_WORD = 'quokka';

let t: TestApp;
let w: Awaited<ReturnType<typeof world>>;
/** Conversations the DSL adds to the restricted case during the tests. */
const addedByDsl: string[] = [];
/** Plain cases opened for the deputy to own during the tests. */
const deputyCases: string[] = [];
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY - 60_000).toISOString();

async function post(s: Session, url: string, body: unknown): Promise<string> {
  const res = await call(t.app, s, 'POST', url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>().id;
}

async function world() {
  const schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const deputyUser = await makeUser(t.services, schoolId, 'deputy_dsl', 'Dan Deputy');
  const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Tia Teacher');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Pembury' });
  const cats = await categoryIds(t.services, schoolId);
  const prevent = cats.find((c) => c.name.startsWith('Prevent'))!;
  const bullying = cats.find((c) => c.name === 'Bullying')!;
  expect([prevent.restricted, bullying.restricted]).toEqual([true, false]);
  // The school keeps Prevent from its Deputy DSLs; they still manage cases.
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO group_category_access (school_id, group_id, category_id, access)
       SELECT $1, id, $2, 'none' FROM staff_groups WHERE school_id = $1 AND key = 'deputy_dsl'`,
      [schoolId, prevent.id],
    ),
  );
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const deputy = await signIn(t.app, deputyUser, { elevated: true });
  const teacher = await signIn(t.app, teacherUser, { elevated: true });
  const [agency] = (await call(t.app, dsl, 'GET', '/api/referral-agencies')).json<{
    items: { id: string; expectedResponseHours: number | null }[];
  }>().items;

  const concern = (categoryId: string, body: string) =>
    post(dsl, '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [categoryId],
      happenedAt: ago(30),
      body,
    });
  const cr = await concern(bullying.id, 'Talked about joining a group online.');
  const cr2 = await concern(prevent.id, 'Drew a symbol in a book.');
  const cn = await concern(bullying.id, 'Name-calling in the lunch queue.');
  const kr = await post(dsl, '/api/cases', { pupilId: pupil.id, concernId: cr });
  const kc = await post(dsl, '/api/cases', { pupilId: pupil.id, concernId: cr2 });
  const kn = await post(dsl, '/api/cases', { pupilId: pupil.id, concernId: cn });
  const action = (text: string, assigneeId: string, link: object) =>
    post(dsl, '/api/actions', { pupilId: pupil.id, type: 'note', text, assigneeId, ...link });
  const ar = await action(`${SECRET.action} ${SHARED_WORD}`, deputyUser.id, { concernId: cr });
  const ak = await action(SECRET.caseAction, teacherUser.id, { caseId: kr });
  const an = await action(`Check the playground rota ${SHARED_WORD}`, deputyUser.id, {
    concernId: cn,
  });
  const at = await action('Move seats in form time', teacherUser.id, { concernId: cn });
  const referral = (link: object, contact: string, reference: string) =>
    post(dsl, '/api/referrals', {
      pupilId: pupil.id,
      agencyId: agency!.id,
      referredAt: ago(20), // long past every response time: overdue, so on the dashboard
      contact,
      reference,
      ...link,
    });
  const fr = await referral({ caseId: kr }, SECRET.contact, SECRET.reference);
  const fn = await referral({ concernId: cn }, 'Ms Ward, school nurse', 'NURSE-12');
  // As if the overdue job had already alerted the DSL team: a job run by another test file on the
  // same database (it works over every school) must not find these.
  await unsafeAsOwner(t.services.db, (q) =>
    q.query('UPDATE referrals SET overdue_alerted_at = now() WHERE school_id = $1', [schoolId]),
  );
  const conversation = (text: string, link: object) =>
    post(dsl, '/api/conversations', {
      pupilId: pupil.id,
      withWhom: 'parent',
      happenedAt: ago(10),
      text,
      ...link,
    });
  const vr = await conversation(`${SECRET.conversation} ${SHARED_WORD}`, { concernId: cr });
  const vn = await conversation(`Mum is worried about lunchtimes ${SHARED_WORD}`, {
    concernId: cn,
  });
  // CR turns out to be a Prevent matter: the DSL re-files it, and all of its work with it.
  const refiled = await call(t.app, dsl, 'PATCH', `/api/concerns/${cr}`, {
    categoryIds: [prevent.id],
    reason: 'A Prevent matter',
  });
  expect(refiled.statusCode, refiled.body).toBeLessThan(300);
  const closed = await call(t.app, dsl, 'POST', `/api/cases/${kc}/close`, {
    outcome: 'Referred on',
    rationale: SECRET.rationale,
  });
  expect(closed.statusCode, closed.body).toBe(200);
  return {
    schoolId,
    users: { dsl: dslUser, deputy: deputyUser, teacher: teacherUser },
    dsl,
    deputy,
    teacher,
    pupil,
    agencyId: agency!.id,
    ids: { cr, cr2, cn, kr, kc, kn, ar, ak, an, at, fr, fn, vr, vn },
  };
}

beforeAll(async () => {
  t = await testApp();
  w = await world();
}, 120_000);
afterAll(async () => t.close());

/** The restricted ids and words: none may appear in what the deputy or the teacher is sent. */
function expectNothingWithheld(body: string) {
  for (const id of [
    w.ids.cr,
    w.ids.cr2,
    w.ids.kr,
    w.ids.kc,
    w.ids.ar,
    w.ids.ak,
    w.ids.fr,
    w.ids.vr,
  ])
    expect(body).not.toContain(id);
  for (const word of Object.values(SECRET)) expect(body).not.toContain(word);
}

/**
 * The dashboard's case work (its actions, open cases and overdue referrals) as sent. Its alerts
 * are the alerts feature's: they name a concern by id, never its text or case work.
 */
async function dashboardWork(s: Session) {
  const d = (await get(s, '/api/dashboard')).json<{
    actions: { id: string }[];
    actionsWaiting: number;
    openCases: { id: string }[];
    overdueReferrals: { id: string }[];
  }>();
  const { actions, actionsWaiting, openCases, overdueReferrals } = d;
  return {
    actions,
    actionsWaiting,
    openCases,
    overdueReferrals,
    body: JSON.stringify({ actions, openCases, overdueReferrals }),
  };
}

async function get(s: Session, url: string) {
  const res = await call(t.app, s, 'GET', url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res;
}
const idsOf = (items: { id: string }[]) => items.map((i) => i.id).sort();
const these = (...keys: (keyof typeof w.ids)[]) => keys.map((k) => w.ids[k]).sort();

describe('actions on a restricted matter', () => {
  it('are left out of the actions list of a case manager not granted it, not of the DSL', async () => {
    const deputy = await get(w.deputy, `/api/actions?pupilId=${w.pupil.id}`);
    expect(idsOf(deputy.json<{ items: { id: string }[] }>().items)).toEqual(these('an', 'at'));
    expectNothingWithheld(deputy.body);
    const dsl = await get(w.dsl, `/api/actions?pupilId=${w.pupil.id}`);
    expect(idsOf(dsl.json<{ items: { id: string }[] }>().items)).toEqual(
      these('ar', 'ak', 'an', 'at'),
    );
  });

  it('are left out of "my actions" and the dashboard, counted or listed, even when assigned to them', async () => {
    for (const [s, mine] of [
      [w.deputy, these('an')],
      [w.teacher, these('at')],
    ] as const) {
      const list = await get(s, '/api/actions?mine=true');
      expect(idsOf(list.json<{ items: { id: string }[] }>().items)).toEqual(mine);
      const dash = await dashboardWork(s);
      expect(idsOf(dash.actions)).toEqual(mine);
      expect(dash.actionsWaiting).toBe(1);
      expectNothingWithheld(list.body + dash.body);
    }
  });

  it('cannot be completed by someone not granted it: not found, and nothing changes', async () => {
    for (const [s, id] of [
      [w.deputy, w.ids.ar],
      [w.teacher, w.ids.ak],
    ] as const) {
      const res = await call(t.app, s, 'POST', `/api/actions/${id}/complete`, { outcome: 'Done' });
      expect(res.statusCode, res.body).toBe(404);
    }
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM actions WHERE id = ANY($1::uuid[]) AND completed_at IS NOT NULL',
        [[w.ids.ar, w.ids.ak]],
      ),
    );
    expect(Number(row!.n)).toBe(0);
  });
});

describe('referrals on a restricted matter', () => {
  it('are left out of the referrals list and the dashboard, and their page is not found', async () => {
    const list = await get(w.deputy, `/api/referrals?pupilId=${w.pupil.id}`);
    expect(idsOf(list.json<{ items: { id: string }[] }>().items)).toEqual(these('fn'));
    const dash = await dashboardWork(w.deputy);
    expect(idsOf(dash.overdueReferrals)).toEqual(these('fn'));
    const page = await call(t.app, w.deputy, 'GET', `/api/referrals/${w.ids.fr}`);
    expect(page.statusCode).toBe(404);
    expectNothingWithheld(list.body + dash.body + page.body);
    // The DSL sees the referral, its contact and reference opened.
    const dsl = await get(w.dsl, `/api/referrals/${w.ids.fr}`);
    expect(dsl.json()).toMatchObject({ contact: SECRET.contact, reference: SECRET.reference });
    expect(idsOf((await dashboardWork(w.dsl)).overdueReferrals)).toEqual(these('fr', 'fn'));
  });

  it('take no follow-up or status from someone not granted it', async () => {
    const followup = await call(t.app, w.deputy, 'POST', `/api/referrals/${w.ids.fr}/followups`, {
      kind: 'call',
      note: 'Chased by phone.',
    });
    const status = await call(t.app, w.deputy, 'POST', `/api/referrals/${w.ids.fr}/status`, {
      status: 'closed',
    });
    expect([followup.statusCode, status.statusCode]).toEqual([404, 404]);
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ closed_at: Date | null; followups: string | number }>(
        `SELECT closed_at, (SELECT count(*) FROM referral_followups WHERE referral_id = r.id)
           AS followups FROM referrals r WHERE id = $1`,
        [w.ids.fr],
      ),
    );
    expect([row!.closed_at, Number(row!.followups)]).toEqual([null, 0]);
  });
});

describe('a case on a restricted matter', () => {
  it('is not found by a case manager not granted it, and left off their dashboard', async () => {
    for (const id of [w.ids.kr, w.ids.kc]) {
      const res = await call(t.app, w.deputy, 'GET', `/api/cases/${id}`);
      expect(res.statusCode, res.body).toBe(404);
      expectNothingWithheld(res.body);
    }
    const dash = await dashboardWork(w.deputy);
    expect(idsOf(dash.openCases)).toEqual(these('kn'));
    expectNothingWithheld(dash.body);
    const dsl = await get(w.dsl, `/api/cases/${w.ids.kc}`);
    expect(dsl.json()).toMatchObject({ rationale: SECRET.rationale });
    expect(idsOf((await dashboardWork(w.dsl)).openCases)).toEqual(these('kr', 'kn'));
  });

  it('cannot be changed, closed, reopened or added to by them, and nothing is written', async () => {
    const before = await caseWork();
    const attempts: [string, string, unknown][] = [
      ['PATCH', `/api/cases/${w.ids.kr}`, { reviewOn: null }],
      ['POST', `/api/cases/${w.ids.kr}/close`, { outcome: 'x', rationale: 'Nothing more.' }],
      ['POST', `/api/cases/${w.ids.kr}/no-further-action`, { outcome: 'x', rationale: 'None.' }],
      ['POST', `/api/cases/${w.ids.kc}/reopen`, { reason: 'New information.' }],
      ['POST', `/api/cases/${w.ids.kr}/concerns`, { concernId: w.ids.cn }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(t.app, w.deputy, method as 'POST', url, body);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(404);
    }
    expect(await caseWork()).toEqual(before);
  });
});

/** Everything case work writes, counted, to show a refused request wrote nothing. */
async function caseWork() {
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ cases: number; events: number; statuses: string } & Record<string, unknown>>(
      `SELECT (SELECT count(*) FROM cases WHERE school_id = $1)::int AS cases,
              (SELECT count(*) FROM case_events WHERE school_id = $1)::int AS events,
              (SELECT count(*) FROM actions WHERE school_id = $1)::int AS actions,
              (SELECT count(*) FROM referrals WHERE school_id = $1)::int AS referrals,
              (SELECT count(*) FROM conversations WHERE school_id = $1)::int AS conversations,
              (SELECT string_agg(id || ':' || coalesce(case_id::text, '-'), ',' ORDER BY id)
                 FROM concerns WHERE school_id = $1) AS filed,
              (SELECT string_agg(id || ':' || status, ',' ORDER BY id)
                 FROM cases WHERE school_id = $1) AS statuses`,
      [w.schoolId],
    ),
  );
  return row!;
}

describe('adding case work to a restricted matter', () => {
  it('is refused to a case manager not granted it, as for an unknown id, and writes nothing', async () => {
    const before = await caseWork();
    const base = { pupilId: w.pupil.id };
    const attempts: [string, unknown, string][] = [
      [
        '/api/actions',
        { ...base, type: 'note', text: 'x', assigneeId: w.users.deputy.id, concernId: w.ids.cr },
        'unknown_concern',
      ],
      [
        '/api/actions',
        { ...base, type: 'note', text: 'x', assigneeId: w.users.deputy.id, caseId: w.ids.kr },
        'unknown_case',
      ],
      [
        '/api/referrals',
        { ...base, agencyId: w.agencyId, referredAt: ago(1), concernId: w.ids.cr },
        'unknown_concern',
      ],
      [
        '/api/referrals',
        { ...base, agencyId: w.agencyId, referredAt: ago(1), caseId: w.ids.kr },
        'unknown_case',
      ],
      [
        '/api/conversations',
        { ...base, withWhom: 'parent', happenedAt: ago(1), text: 'x', concernId: w.ids.cr },
        'unknown_concern',
      ],
      [
        '/api/conversations',
        { ...base, withWhom: 'parent', happenedAt: ago(1), text: 'x', caseId: w.ids.kr },
        'unknown_case',
      ],
      ['/api/cases', { ...base, concernId: w.ids.cr }, 'unknown_concern'],
      // A restricted concern joining a case the deputy may see is refused too.
      [`/api/cases/${w.ids.kn}/concerns`, { concernId: w.ids.cr }, 'unknown_concern'],
    ];
    for (const [url, body, code] of attempts) {
      const res = await call(t.app, w.deputy, 'POST', url, body);
      expect([res.statusCode, res.json<{ error: { code: string } }>().error.code], url).toEqual([
        400,
        code,
      ]);
      // The same answer as an id that does not exist.
      const unknown = JSON.parse(
        JSON.stringify(body)
          .replaceAll(w.ids.cr, crypto.randomUUID())
          .replaceAll(w.ids.kr, crypto.randomUUID()),
      ) as unknown;
      const missing = await call(t.app, w.deputy, 'POST', url, unknown);
      expect(missing.body, url).toBe(res.body);
    }
    expect(await caseWork()).toEqual(before);
  });

  it('is not handed to someone not granted it, as an action or a case to own', async () => {
    const before = await caseWork();
    const action = await call(t.app, w.dsl, 'POST', '/api/actions', {
      pupilId: w.pupil.id,
      type: 'note',
      text: 'Talk to the form tutor',
      assigneeId: w.users.teacher.id,
      caseId: w.ids.kr,
    });
    expect([action.statusCode, action.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'assignee_not_granted',
    ]);
    const owner = await call(t.app, w.dsl, 'PATCH', `/api/cases/${w.ids.kr}`, {
      ownerId: w.users.deputy.id,
    });
    expect([owner.statusCode, owner.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'owner_not_granted',
    ]);
    // A case the deputy owns takes no Prevent concern: they would lose sight of their own case.
    const theirs = await post(w.dsl, '/api/cases', {
      pupilId: w.pupil.id,
      ownerId: w.users.deputy.id,
    });
    deputyCases.push(theirs);
    const joined = await call(t.app, w.dsl, 'POST', `/api/cases/${theirs}/concerns`, {
      concernId: w.ids.cr2,
    });
    expect([joined.statusCode, joined.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'owner_not_granted',
    ]);
    const after = await caseWork();
    expect({ ...after, cases: after.cases - 1, events: after.events - 1 }).toEqual({
      ...before,
      statuses: after.statuses,
    });
  });

  it('is allowed to the DSL, granted it', async () => {
    const res = await call(t.app, w.dsl, 'POST', '/api/conversations', {
      pupilId: w.pupil.id,
      withWhom: 'parent',
      happenedAt: ago(1),
      text: 'Follow-up call.',
      caseId: w.ids.kr,
    });
    expect(res.statusCode, res.body).toBe(201);
    addedByDsl.push(res.json<{ id: string }>().id);
  });
});

describe('the chronology and its PDF', () => {
  it('leave out every action, referral, conversation and case event on a restricted matter', async () => {
    type Entry = { id: string; kind: string };
    const deputy = await get(w.deputy, `/api/pupils/${w.pupil.id}/chronology`);
    const entries = deputy.json<{ entries: Entry[] }>().entries;
    expectNothingWithheld(deputy.body);
    const of = (list: Entry[], kind: string) => idsOf(list.filter((e) => e.kind === kind));
    expect(of(entries, 'action')).toEqual(these('an', 'at'));
    expect(of(entries, 'referral')).toEqual(these('fn'));
    expect(of(entries, 'conversation')).toEqual(these('vn'));
    const caseEvents = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string; case_id: string }>('SELECT id, case_id FROM case_events'),
    );
    const eventsOf = (...cases: string[]) =>
      caseEvents
        .filter((e) => cases.includes(e.case_id))
        .map((e) => e.id)
        .sort();
    expect(of(entries, 'case_event')).toEqual(eventsOf(w.ids.kn, ...deputyCases));
    // The DSL's has it all, the closing rationale included.
    const dsl = await get(w.dsl, `/api/pupils/${w.pupil.id}/chronology`);
    const all = dsl.json<{ entries: Entry[] }>().entries;
    expect(of(all, 'action')).toEqual(these('ar', 'ak', 'an', 'at'));
    expect(of(all, 'conversation')).toEqual([...these('vr', 'vn'), ...addedByDsl].sort());
    expect(of(all, 'case_event')).toEqual(eventsOf(w.ids.kr, w.ids.kc, w.ids.kn, ...deputyCases));
    expect(dsl.body).toContain(SECRET.rationale);
  });

  it('leave them out of the exported PDF too', async () => {
    const text = async (s: Session) => {
      const res = await call(t.app, s, 'GET', `/api/pupils/${w.pupil.id}/chronology.pdf`);
      expect(res.statusCode, res.body).toBe(200);
      const { text } = await extractText(new Uint8Array(res.rawPayload), { mergePages: true });
      return text.replace(/\s+/g, ' ');
    };
    const deputy = await text(w.deputy);
    expect(deputy).toContain('Check the playground rota');
    for (const word of Object.values(SECRET)) expect(deputy).not.toContain(word);
    const dsl = await text(w.dsl);
    expect(dsl).toContain(SECRET.rationale);
    expect(dsl).toContain(SECRET.conversation);
  });
});

describe('search', () => {
  it('finds no action or conversation on a restricted matter for someone not granted it', async () => {
    const search = async (s: Session) => {
      const res = await call(t.app, s, 'POST', '/api/search', { q: SHARED_WORD });
      expect(res.statusCode, res.body).toBe(200);
      return res;
    };
    const deputy = await search(w.deputy);
    expect(idsOf(deputy.json<{ items: { id: string }[] }>().items)).toEqual(these('an', 'vn'));
    expectNothingWithheld(deputy.body);
    const dsl = await search(w.dsl);
    expect(idsOf(dsl.json<{ items: { id: string }[] }>().items)).toEqual(
      these('ar', 'an', 'vr', 'vn'),
    );
  });
});
