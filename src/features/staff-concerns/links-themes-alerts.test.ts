// The rest of issue 19 over HTTP, on both engines: pupils linked to a matter and the opaque marker
// their chronology shows only to the matter's readers (never to the person named, nor anyone
// else, whose view of the pupil is unchanged); themes on low-level concerns and the "2 with the
// same theme" prompt, with anonymised theme counts; the retention rule each triage and outcome
// sets, and the reference pack of substantiated matters only; the case manager's alerts (a new
// matter, the LADO clock nearing and past its deadline), never to the person named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import { runLadoAlerts } from '../../jobs/staff-concerns.ts';
import {
  areaSchool,
  joinHeadsGroup as joinHeadsGroupOf,
  type AreaSchool,
} from './staff-concerns-test-kit.ts';
import type { AlertList } from '../../shared/schemas/alerts.ts';
import type { PupilLog } from '../../shared/schemas/audit-trail.ts';
import type {
  Matter,
  PatternReview,
  Receipt,
  ReferencePack,
  ReferencePackMembers,
  StaffConcernSettings,
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

async function raised(s: Session, subjectUserId: string): Promise<Receipt> {
  const res = await call(t.app, s, 'POST', '/api/staff-concerns', {
    subjectKind: 'staff',
    subjectUserId,
    whatHappened: 'Kept a pupil behind alone after the bell.',
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Receipt>();
}
const triage = (s: Session, id: string, classification: string, theme?: string) =>
  call(t.app, s, 'POST', `/api/staff-concerns/${id}/triage`, {
    classification,
    rationale: 'Considered.',
    ...(theme !== undefined && { theme }),
  });
const read = async (s: Session, id: string) => {
  const res = await call(t.app, s, 'GET', `/api/staff-concerns/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Matter>();
};
const markers = (s: Session, pupilId: string) =>
  call(t.app, s, 'GET', `/api/pupils/${pupilId}/staff-matters`);
const alertsOf = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/alerts')).json<AlertList>().items;
const linksIn = async (schoolId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM staff_concern_pupils WHERE school_id = $1',
        [schoolId],
      ),
    )
  )[0]!.n;

describe('linking pupils, and the marker on their chronology', () => {
  it("shows the matter's readers an opaque marker; everyone else, and the person named, nothing", async () => {
    const sc = await school();
    const dsl = await sc.member('dsl', 'Dee DSL');
    // The subject is an acting co-head: a reader of the area, yet never of this matter.
    const subject = await sc.member('teacher', 'Alex Accused');
    await joinHeadsGroup(sc.schoolId, subject.user.id);
    const pupil = await makePupil(t.services, sc.schoolId, { firstName: 'Pia', lastName: 'Pupil' });
    const r = await raised(sc.teacher.s, subject.user.id);
    const chronologyBefore = {
      dsl: (await call(t.app, dsl.s, 'GET', `/api/pupils/${pupil.id}/chronology`)).body,
      head: (await call(t.app, sc.head.s, 'GET', `/api/pupils/${pupil.id}/chronology`)).body,
    };

    // Only the case manager may link; the person named gets 404, others 403.
    const link = (s: Session, pupilId = pupil.id) =>
      call(t.app, s, 'POST', `/api/staff-concerns/${r.id}/pupils`, { pupilId });
    expect((await link(dsl.s)).statusCode).toBe(403);
    expect((await link(sc.teacher.s)).statusCode).toBe(403);
    expect((await link(subject.s)).statusCode).toBe(404);
    expect((await link(sc.chair.s)).statusCode).toBe(404);
    const foreign = await makePupil(t.services, await makeSchool(t.services));
    const refused = await link(sc.head.s, foreign.id);
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/not one of this school’s pupils/);
    expect(await linksIn(sc.schoolId)).toBe(0);

    const ok = await link(sc.head.s);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ linked: true });
    expect((await link(sc.head.s)).json()).toEqual({ linked: false });
    expect((await read(sc.head.s, r.id)).pupils).toEqual([
      { id: pupil.id, name: 'Pia Pupil', canOpen: true },
    ]);

    // The reader: the matter's id and nothing else.
    const seen = await markers(sc.head.s, pupil.id);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toEqual({ items: [{ matterId: r.id }] });
    // The person named, though a reader of the area: nothing.
    expect((await markers(subject.s, pupil.id)).json()).toEqual({ items: [] });
    // The chair (not this matter's team): nothing. The DSL and a teacher: no such ability.
    expect((await markers(sc.chair.s, pupil.id)).json()).toEqual({ items: [] });
    expect((await markers(dsl.s, pupil.id)).statusCode).toBe(403);
    expect((await markers(sc.teacher.s, pupil.id)).statusCode).toBe(403);
    // Another school's pupil id, or no pupil at all, answers as a pupil with no marker: a reader
    // who may not search pupils (the chair) cannot probe which ids are pupils here.
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      const unknown = await markers(sc.chair.s, id);
      expect(unknown.statusCode, unknown.body).toBe(200);
      expect(unknown.json()).toEqual({ items: [] });
      expect((await markers(sc.head.s, id)).json()).toEqual({ items: [] });
    }
    // A second member of the head's team reads the marker too.
    const coHead = await sc.member('teacher', 'Cleo CoHead');
    await joinHeadsGroup(sc.schoolId, coHead.user.id);
    expect((await markers(coHead.s, pupil.id)).json()).toEqual({ items: [{ matterId: r.id }] });

    // The pupil's own record is exactly as before, for every reader of it.
    const after = {
      dsl: (await call(t.app, dsl.s, 'GET', `/api/pupils/${pupil.id}/chronology`)).body,
      head: (await call(t.app, sc.head.s, 'GET', `/api/pupils/${pupil.id}/chronology`)).body,
    };
    expect(after).toEqual(chronologyBefore);
    expect(after.dsl).not.toContain(r.id);

    const rows = await auditRows(t, sc.schoolId);
    const actions = rows.map((a) => a.action);
    expect(actions.filter((a) => a === 'staff_concerns.pupil_linked')).toHaveLength(1);
    // Each read that showed a marker is audited against the matter, never the pupil; reads that
    // showed none read nothing of the area and are not.
    expect(rows.filter((a) => a.action === 'staff_concerns.markers_viewed')).toEqual([
      expect.objectContaining({ target_id: r.id, details: { pupil: pupil.id } }),
      expect.objectContaining({ target_id: r.id, details: { pupil: pupil.id } }),
    ]);
    const [aboutPupil] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE school_id = $1
           AND action LIKE 'staff\\_concerns.%' AND target_type <> 'staff_concern'
           AND target_id = $2`,
        [sc.schoolId, pupil.id],
      ),
    );
    expect(aboutPupil?.n).toBe(0);

    // "Who has seen this record": no entry of this area, and its people list leaves out the
    // co-head, whose only touch of the pupil was the marker.
    const log = await call(t.app, sc.head.s, 'GET', `/api/pupils/${pupil.id}/access-log`);
    expect(log.statusCode, log.body).toBe(200);
    const seenBy = log.json<PupilLog>();
    expect(seenBy.entries.length).toBeGreaterThan(0);
    expect(seenBy.entries.filter((e) => e.action.startsWith('staff_concerns.'))).toEqual([]);
    expect(seenBy.people.map((p) => p.id)).not.toContain(coHead.user.id);
    expect(log.body).not.toContain(r.id);
  });

  it('a malicious outcome clears the links with the rest of the matter', async () => {
    const sc = await school();
    const subject = await sc.member('teacher');
    const pupil = await makePupil(t.services, sc.schoolId);
    const r = await raised(sc.teacher.s, subject.user.id);
    await triage(sc.head.s, r.id, 'possibly_meets_threshold');
    await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${r.id}/pupils`, {
      pupilId: pupil.id,
    });
    const res = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${r.id}/outcome`, {
      outcome: 'malicious',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await linksIn(sc.schoolId)).toBe(0);
    expect((await markers(sc.head.s, pupil.id)).json()).toEqual({ items: [] });
    // The head's alert of the new matter is closed with it.
    expect((await alertsOf(sc.head.s)).map((a) => a.targetId)).not.toContain(r.id);
  });
});

describe('themes and the patterns review', () => {
  it('takes a theme from the school’s list on a low-level concern only', async () => {
    const sc = await school();
    const subject = await sc.member('teacher');
    const settings = (
      await call(t.app, sc.head.s, 'GET', '/api/staff-concerns/settings')
    ).json<StaffConcernSettings>();
    expect(settings.themes).toContain('Photographs or personal phones');
    const r = await raised(sc.teacher.s, subject.user.id);
    const unknown = await triage(sc.head.s, r.id, 'low_level', 'Being late');
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).message).toMatch(/school's list/);
    const wrongKind = await triage(sc.head.s, r.id, 'not_a_concern', 'Other');
    expect(wrongKind.statusCode).toBe(400);
    expect(errorOf(wrongKind).message).toMatch(/Only a low-level concern has a theme/);
    expect((await read(sc.head.s, r.id)).classification).toBeNull();

    const changed = await call(t.app, sc.head.s, 'PATCH', '/api/staff-concerns/settings', {
      themes: ['Being late', 'Other'],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const dup = await call(t.app, sc.head.s, 'PATCH', '/api/staff-concerns/settings', {
      themes: ['Other', 'other'],
    });
    expect(dup.statusCode).toBe(400);
    expect(errorOf(dup).message).toMatch(/Each theme must be different/);
    const ok = await triage(sc.head.s, r.id, 'low_level', 'Being late');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await read(sc.head.s, r.id)).toMatchObject({
      theme: 'Being late',
      retention: { kind: 'staff_low_level', dueOn: null },
    });
    // Triaged again as not a concern: the theme goes with the low-level classification.
    expect((await triage(sc.head.s, r.id, 'not_a_concern')).statusCode).toBe(200);
    expect((await read(sc.head.s, r.id)).theme).toBeNull();
  });

  it('prompts at 3 or more, or at 2 with the same theme; theme counts carry no names', async () => {
    const sc = await school();
    const [often, paired, mixed] = [
      await sc.member('teacher', 'Olly Often'),
      await sc.member('teacher', 'Pat Paired'),
      await sc.member('teacher', 'Mo Mixed'),
    ];
    const low = async (userId: string, theme?: string) => {
      const r = await raised(sc.teacher.s, userId);
      expect((await triage(sc.head.s, r.id, 'low_level', theme)).statusCode).toBe(200);
    };
    await low(often.user.id, 'Other');
    await low(often.user.id);
    await low(often.user.id, 'Photographs or personal phones');
    await low(paired.user.id, 'Photographs or personal phones');
    await low(paired.user.id, 'Photographs or personal phones');
    await low(mixed.user.id, 'Other');
    await low(mixed.user.id, 'Photographs or personal phones');
    // A volunteer (no account): not in the per-person list, yet in the theme counts.
    const volunteer = await call(t.app, sc.teacher.s, 'POST', '/api/staff-concerns', {
      subjectKind: 'volunteer',
      subjectName: 'Vic Volunteer',
      whatHappened: 'Took photographs of pupils at the fair on a personal phone.',
    });
    expect(volunteer.statusCode, volunteer.body).toBe(201);
    const v = volunteer.json<Receipt>().id;
    expect(
      (await triage(sc.head.s, v, 'low_level', 'Photographs or personal phones')).statusCode,
    ).toBe(200);
    const res = await call(t.app, sc.head.s, 'GET', '/api/staff-concerns/patterns');
    expect(res.statusCode, res.body).toBe(200);
    const review = res.json<PatternReview>();
    expect(review).toMatchObject({ threshold: 3, sameThemeThreshold: 2 });
    expect(review.items).toEqual([
      {
        subjectUserId: often.user.id,
        subjectName: 'Olly Often',
        count: 3,
        reconsider: true,
        reason: 'count',
        sameTheme: null,
      },
      {
        subjectUserId: mixed.user.id,
        subjectName: 'Mo Mixed',
        count: 2,
        reconsider: false,
        reason: null,
        sameTheme: null,
      },
      {
        subjectUserId: paired.user.id,
        subjectName: 'Pat Paired',
        count: 2,
        reconsider: true,
        reason: 'same_theme',
        sameTheme: 'Photographs or personal phones',
      },
    ]);
    expect(review.themeCounts).toEqual([
      { theme: 'Photographs or personal phones', count: 5 },
      { theme: 'Other', count: 2 },
    ]);
    expect(JSON.stringify(review.themeCounts)).not.toMatch(/Olly|Pat|Mo |Vic/);
  });
});

describe('retention by outcome, and the reference pack', () => {
  async function allegation(sc: School, subjectId: string, outcome: string) {
    const r = await raised(sc.teacher.s, subjectId);
    expect((await triage(sc.head.s, r.id, 'possibly_meets_threshold')).statusCode).toBe(200);
    expect((await read(sc.head.s, r.id)).retention?.kind).toBe('staff_allegation');
    const res = await call(t.app, sc.head.s, 'POST', `/api/staff-concerns/${r.id}/outcome`, {
      outcome,
    });
    expect(res.statusCode, res.body).toBe(200);
    return r.id;
  }

  it('keeps allegations under the allegation rule, and packs only substantiated matters', async () => {
    const sc = await school();
    const subject = await sc.member('teacher', 'Rory Reference');
    const substantiated = await allegation(sc, subject.user.id, 'substantiated');
    const unfounded = await allegation(sc, subject.user.id, 'unfounded');
    await allegation(sc, subject.user.id, 'false');
    await allegation(sc, subject.user.id, 'malicious');
    const lowLevel = await raised(sc.teacher.s, subject.user.id);
    await triage(sc.head.s, lowLevel.id, 'low_level');
    const kept = await read(sc.head.s, unfounded);
    expect(kept.retention).toMatchObject({ kind: 'staff_allegation', dueOn: null });
    expect(kept.retention?.rule).toMatch(/normal pension age or 10 years/);
    const [removed] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ retention_kind: string }>(
        `SELECT retention_kind FROM staff_concerns WHERE school_id = $1 AND outcome = 'malicious'`,
        [sc.schoolId],
      ),
    );
    expect(removed?.retention_kind).toBe('staff_allegation_malicious');

    const pack = await call(
      t.app,
      sc.head.s,
      'GET',
      `/api/staff-concerns/reference-pack?userId=${subject.user.id}`,
    );
    expect(pack.statusCode, pack.body).toBe(200);
    const body = pack.json<ReferencePack>();
    expect(body.subjectName).toBe('Rory Reference');
    expect(body.items.map((i) => i.id)).toEqual([substantiated]);
    const audited = (await auditRows(t, sc.schoolId)).filter(
      (a) => a.action === 'staff_concerns.reference_pack_made',
    );
    expect(audited).toEqual([
      expect.objectContaining({ target_id: subject.user.id, details: { count: 1 } }),
    ]);
    // Only a case manager makes one; a member from another school is nobody here.
    const asTeacher = await call(
      t.app,
      sc.teacher.s,
      'GET',
      `/api/staff-concerns/reference-pack?userId=${subject.user.id}`,
    );
    expect(asTeacher.statusCode).toBe(403);
    const stranger = await makeUser(t.services, await makeSchool(t.services), 'teacher');
    const foreign = await call(
      t.app,
      sc.head.s,
      'GET',
      `/api/staff-concerns/reference-pack?userId=${stranger.id}`,
    );
    expect(foreign.statusCode).toBe(404);
  });

  it('never makes a pack about its reader, lists leavers, and says which matters it covers', async () => {
    const sc = await school();
    const leaver = await sc.member('teacher', 'Lee Leaver');
    const leaverMatter = await allegation(sc, leaver.user.id, 'substantiated');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [leaver.user.id]),
    );
    // A substantiated matter about the head is the chair's, never in the head's pack.
    const aboutHead = await raised(sc.teacher.s, sc.head.user.id);
    await triage(sc.chair.s, aboutHead.id, 'possibly_meets_threshold');
    const outcome = await call(
      t.app,
      sc.chair.s,
      'POST',
      `/api/staff-concerns/${aboutHead.id}/outcome`,
      { outcome: 'substantiated' },
    );
    expect(outcome.statusCode, outcome.body).toBe(200);

    const pack = (s: Session, userId: string) =>
      call(t.app, s, 'GET', `/api/staff-concerns/reference-pack?userId=${userId}`);
    const packsBefore = (await auditRows(t, sc.schoolId)).filter(
      (a) => a.action === 'staff_concerns.reference_pack_made',
    ).length;
    // About oneself: 404, as any matter naming the reader, and nothing is audited as made.
    const self = await pack(sc.head.s, sc.head.user.id);
    expect(self.statusCode).toBe(404);
    expect(self.body).not.toContain(aboutHead.id);
    expect((await pack(sc.chair.s, sc.chair.user.id)).statusCode).toBe(404);
    expect(
      (await auditRows(t, sc.schoolId)).filter(
        (a) => a.action === 'staff_concerns.reference_pack_made',
      ),
    ).toHaveLength(packsBefore);

    // The chair's pack about the head has the chair's matter, and says what it covers.
    const headPack = await pack(sc.chair.s, sc.head.user.id);
    expect(headPack.statusCode, headPack.body).toBe(200);
    expect(headPack.json<ReferencePack>()).toMatchObject({
      covers: ['chair'],
      items: [expect.objectContaining({ id: aboutHead.id })],
    });
    // The head's pack about a leaver: possible, and covers the head's team only.
    const leaverPack = await pack(sc.head.s, leaver.user.id);
    expect(leaverPack.statusCode, leaverPack.body).toBe(200);
    expect(leaverPack.json<ReferencePack>()).toMatchObject({
      covers: ['headteacher'],
      items: [expect.objectContaining({ id: leaverMatter })],
    });

    // The members a pack may be about: leavers too (marked), never the reader.
    const members = await call(
      t.app,
      sc.head.s,
      'GET',
      '/api/staff-concerns/reference-pack/members',
    );
    expect(members.statusCode, members.body).toBe(200);
    const items = members.json<ReferencePackMembers>().items;
    expect(items.map((m) => m.id)).not.toContain(sc.head.user.id);
    expect(items).toContainEqual({ id: leaver.user.id, name: 'Lee Leaver', left: true });
    expect(items).toContainEqual({ id: sc.chair.user.id, name: 'Cyril Chair', left: false });
    const chairs = await call(
      t.app,
      sc.chair.s,
      'GET',
      '/api/staff-concerns/reference-pack/members',
    );
    expect(chairs.json<ReferencePackMembers>().items.map((m) => m.id)).toContain(sc.head.user.id);
    expect(chairs.json<ReferencePackMembers>().items.map((m) => m.id)).not.toContain(
      sc.chair.user.id,
    );
    const asTeacher = await call(
      t.app,
      sc.teacher.s,
      'GET',
      '/api/staff-concerns/reference-pack/members',
    );
    expect(asTeacher.statusCode).toBe(403);
  });
});

describe("the case manager's alerts", () => {
  it('alerts the case manager of a new matter, never the person it names', async () => {
    const sc = await school();
    const coHead = await sc.member('teacher', 'Cora CoHead');
    await joinHeadsGroup(sc.schoolId, coHead.user.id);
    const about = await raised(sc.teacher.s, coHead.user.id);
    const headAlerts = await alertsOf(sc.head.s);
    expect(headAlerts).toEqual([
      expect.objectContaining({
        kind: 'staff_concern_new',
        targetType: 'staff_concern',
        targetId: about.id,
      }),
    ]);
    expect(await alertsOf(coHead.s)).toEqual([]);
    expect(await alertsOf(sc.chair.s)).toEqual([]);
    expect(await alertsOf(sc.teacher.s)).toEqual([]);
    // About the head: the chair, and not the head.
    const aboutHead = await raised(sc.teacher.s, sc.head.user.id);
    expect((await alertsOf(sc.chair.s)).map((a) => a.targetId)).toEqual([aboutHead.id]);
    expect((await alertsOf(sc.head.s)).map((a) => a.targetId)).toEqual([about.id]);
    expect((await alertsOf(coHead.s)).map((a) => a.targetId)).toEqual([]);
  });

  it("alerts only the team's members who may still read the area", async () => {
    const sc = await school();
    const coHead = await sc.member('teacher', 'Cora CoHead');
    await joinHeadsGroup(sc.schoolId, coHead.user.id);
    const other = await sc.member('teacher', 'Olly Other');
    // The school takes the area away from the headteacher's group; the co-head keeps it through
    // a group of their own.
    await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(
        `UPDATE staff_groups SET capabilities = array_remove(capabilities, 'staff_concerns')
         WHERE school_id = $1 AND key = 'headteacher'`,
        [sc.schoolId],
      );
      await q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT school_id, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'chair_of_governors'`,
        [sc.schoolId, coHead.user.id],
      );
    });
    const r = await raised(sc.teacher.s, other.user.id);
    expect(await alertsOf(sc.head.s)).toEqual([]);
    expect((await alertsOf(coHead.s)).map((a) => a.targetId)).toEqual([r.id]);
  });

  it('alerts once as the LADO deadline nears and once when it passes, unless contact is recorded', async () => {
    clock.set(new Date('2026-03-13T15:00:00Z')); // Fri 13 Mar 2026 15:00: due Mon 17:00
    try {
      const sc = await school();
      const subject = await sc.member('teacher');
      const waiting = await raised(sc.teacher.s, subject.user.id);
      const contacted = await raised(sc.teacher.s, subject.user.id);
      for (const r of [waiting, contacted])
        expect((await triage(sc.head.s, r.id, 'possibly_meets_threshold')).statusCode).toBe(200);
      const contact = await call(
        t.app,
        sc.head.s,
        'POST',
        `/api/staff-concerns/${contacted.id}/lado-contacts`,
        { officer: 'Lou LADO', contactedAt: '2026-03-13T15:00:00Z', advice: 'Proceed.' },
      );
      expect(contact.statusCode, contact.body).toBe(201);
      const ladoAlerts = async () =>
        (await alertsOf(sc.head.s))
          .filter((a) => a.kind !== 'staff_concern_new')
          .map((a) => [a.kind, a.targetId]);
      const run = (at: string) => runLadoAlerts(t.services, new Date(at), [sc.schoolId]);

      await run('2026-03-16T09:00:00Z'); // eight hours before: nothing yet
      expect(await ladoAlerts()).toEqual([]);
      await run('2026-03-16T12:00:00Z'); // five hours before
      await run('2026-03-16T13:00:00Z');
      expect(await ladoAlerts()).toEqual([['staff_concern_lado_due', waiting.id]]);
      await run('2026-03-16T17:01:00Z');
      await run('2026-03-16T18:00:00Z');
      expect((await ladoAlerts()).sort()).toEqual(
        [
          ['staff_concern_lado_due', waiting.id],
          ['staff_concern_lado_overdue', waiting.id],
        ].sort(),
      );
      expect(await alertsOf(subject.s)).toEqual([]);
      const audited = (await auditRows(t, sc.schoolId)).filter(
        (a) => a.action === 'staff_concerns.alerted',
      );
      expect(audited.length).toBe(4); // two new matters, due, overdue
    } finally {
      clock.set(new Date());
    }
  });
});
