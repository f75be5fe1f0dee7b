// The inspection pack through the API (issue 20). A teacher logs a concern about Zara Quill; the
// DSL triages it with a reason naming her, opens a case and closes it with a rationale, and refers
// her. The DSL team sees a sample of these decisions with names on screen; the PDF (same sample)
// carries only references, her names replaced in the reasons; the pack says Lantern holds no
// policy documents and lists the policy versions it keeps; the timeliness tables are there; the
// pastoral team (reports without case work) and a head of the deputies' tier outside the DSL team
// are refused; a range backwards or a malformed sample is a 400; each view and export is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { InspectionPack } from '../../shared/schemas/reports.ts';
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

let t: TestApp;
let schoolId: string;
let dsl: Session;
let head: Session;
let pastoral: Session;
let zara: { id: string; name: string };

async function ok(s: Session, method: 'POST', url: string, body: unknown) {
  const res = await call(t.app, s, method, url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>();
}

beforeAll(async () => {
  t = await testApp();
  schoolId = await makeSchool(t.services);
  const dslUser = await makeUser(t.services, schoolId, 'dsl', 'Dee Lead');
  const teacher = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher', 'Tia Teach'));
  head = await signIn(t.app, await makeUser(t.services, schoolId, 'headteacher', 'Hal Head'), {
    elevated: true,
  });
  const pastoralUser = await makeUser(t.services, schoolId, 'teacher', 'Pat Oral');
  await unsafeAsOwner(t.services.db, (q) =>
    q.query(
      `INSERT INTO staff_group_members (school_id, group_id, user_id)
       SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'pastoral'`,
      [schoolId, pastoralUser.id],
    ),
  );
  pastoral = await signIn(t.app, pastoralUser, { elevated: true });
  dsl = await signIn(t.app, dslUser, { elevated: true });
  zara = await makePupil(t.services, schoolId, { firstName: 'Zara', lastName: 'Quill' });
  // Her preferred name, her mother (a contact), and another pupil the reasons mention.
  await makePupil(t.services, schoolId, { firstName: 'Océane', lastName: 'Marlowe' });
  await unsafeAsOwner(t.services.db, async (q) => {
    await q.query(`UPDATE pupils SET preferred_name = 'Zee' WHERE id = $1`, [zara.id]);
    const [mum] = await q.query<{ id: string }>(
      `INSERT INTO contacts (school_id, mis_id, first_name, last_name)
         VALUES ($1, 'c-1', 'Rhiannon', 'O''Hara-Quill') RETURNING id`,
      [schoolId],
    );
    await q.query(
      `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship)
       VALUES ($1, $2, $3, 'Mother')`,
      [schoolId, zara.id, mum!.id],
    );
  });
  const cats = await categoryIds(t.services, schoolId);
  const concern = await ok(teacher, 'POST', '/api/concerns', {
    pupils: [{ pupilId: zara.id, role: 'subject' }],
    categoryIds: [cats.find((c) => c.name === 'Bullying')!.id],
    happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
    body: 'Zara was upset at break.',
  });
  await ok(dsl, 'POST', `/api/concerns/${concern.id}/triage`, {
    state: 'triaged',
    risk: 'medium',
    reason: 'Zara Quill told Dee Lead of repeated name-calling; QUILL family to be called.',
  });
  const opened = await ok(dsl, 'POST', '/api/cases', { pupilId: zara.id, concernId: concern.id });
  const agencies = await call(t.app, dsl, 'GET', '/api/referral-agencies');
  const agency = agencies.json<{ items: { id: string }[] }>().items[0]!;
  await ok(dsl, 'POST', '/api/referrals', {
    pupilId: zara.id,
    agencyId: agency.id,
    referredAt: new Date().toISOString(),
    concernId: concern.id,
  });
  await ok(dsl, 'POST', `/api/cases/${opened.id}/close`, {
    outcome: 'Resolved with Zara’s family',
    rationale:
      'Bullying stopped; zara (Zee) is settled. Spoke with RHIANNON O’HARA‑QUILL; oceane marlowe will mentor her.',
  });
}, 120_000);
afterAll(async () => t.close());

const audited = async (action: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: unknown }>(
        'SELECT details FROM audit_events WHERE school_id = $1 AND action = $2 ORDER BY seq',
        [schoolId, action],
      ),
    )
  ).map((r) => r.details);

describe('the inspection pack', () => {
  it('shows the DSL team a sample of decisions with reasons and names, the policies and timeliness', async () => {
    const res = await call(t.app, dsl, 'GET', '/api/reports/inspection-pack?sample=abcdef12');
    expect(res.statusCode, res.body).toBe(200);
    const pack = res.json<InspectionPack>();
    expect(pack.sample).toBe('abcdef12');
    expect(pack.decisionsInRange).toBe(3);
    expect(pack.decisions.map((d) => d.kind).sort()).toEqual(['case_closed', 'referral', 'triage']);
    const triage = pack.decisions.find((d) => d.kind === 'triage')!;
    expect(triage).toMatchObject({
      decision: 'Concern triaged: medium risk',
      rationale: 'Zara Quill told Dee Lead of repeated name-calling; QUILL family to be called.',
      pupils: [{ ref: `P-${zara.id.slice(0, 8).toUpperCase()}`, name: 'Zara Quill' }],
      decidedBy: { name: 'Dee Lead' },
    });
    const closed = pack.decisions.find((d) => d.kind === 'case_closed')!;
    expect(closed).toMatchObject({
      outcome: 'Resolved with Zara’s family',
      rationale:
        'Bullying stopped; zara (Zee) is settled. Spoke with RHIANNON O’HARA‑QUILL; oceane marlowe will mentor her.',
    });
    expect(pack.decisions.find((d) => d.kind === 'referral')!.rationale).toBeNull();
    expect(pack.policyNote).toContain('Lantern holds no policy documents');
    expect(pack.policies.map((p) => p.name)).toContain('Staff groups and their access to records');
    expect(pack.policies.every((p) => p.version >= 0)).toBe(true);
    expect(pack.timeliness.map((x) => x.id)).toEqual([
      'referrals_by_agency',
      'alert_acknowledgement',
      'transfer_clock',
    ]);
    // One entry for the pack (its seed and decisions), one on Zara's own access log.
    const viewed = (await audited('reports.inspection_pack_viewed')) as {
      sample: string;
      decisionIds: string[];
    }[];
    expect(viewed).toHaveLength(2);
    expect(viewed.every((d) => d.sample === 'abcdef12' && d.decisionIds.length === 3)).toBe(true);
    const log = await call(t.app, dsl, 'GET', `/api/pupils/${zara.id}/access-log`);
    expect(log.statusCode, log.body).toBe(200);
    expect(log.body).toContain('reports.inspection_pack_viewed');
    const onPupil = await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `SELECT 1 FROM audit_events WHERE school_id = $1 AND action = 'reports.inspection_pack_viewed'
           AND target_type = 'pupil' AND target_id = $2`,
        [schoolId, zara.id],
      ),
    );
    expect(onPupil).toHaveLength(1);
  });

  it('exports the same sample as a PDF with references, not names', async () => {
    const res = await call(t.app, dsl, 'GET', '/api/reports/inspection-pack.pdf?sample=abcdef12');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    const { text } = await extractText(new Uint8Array(res.rawPayload), { mergePages: true });
    const words = text.replace(/\s+/g, ' ');
    const pupilRef = `P-${zara.id.slice(0, 8).toUpperCase()}`;
    expect(words).toContain(pupilRef);
    expect(words).toContain('Lantern holds no policy documents');
    expect(words).toContain('Concern triaged: medium risk');
    for (const name of [
      'Zara',
      'Quill',
      'QUILL',
      'zara',
      'Zee',
      'Dee Lead',
      'RHIANNON',
      'HARA',
      'oceane',
      'marlowe',
    ])
      expect(words).not.toContain(name);
    expect(words).toContain(`${pupilRef} told S-`);
    // The preferred name and the mother's hyphenated, apostrophed name; common words left alone.
    expect(words).toContain(`${pupilRef} (${pupilRef}) is settled. Spoke with C-`);
    expect(words).toMatch(/; P-[0-9A-F]{8} will mentor her/);
    const exported = await audited('reports.inspection_pack_exported');
    expect(exported).toEqual([
      expect.objectContaining({ decisions: 3, sample: 'abcdef12' }),
      expect.objectContaining({ decisions: 3, sample: 'abcdef12' }),
    ]);
  });

  it('refuses anyone outside the DSL team, and bad input, writing nothing', async () => {
    const before = (await audited('reports.inspection_pack_viewed')).length;
    expect((await call(t.app, pastoral, 'GET', '/api/reports/inspection-pack')).statusCode).toBe(
      403,
    );
    // The headteacher manages cases but is not in the DSL's or deputies' group.
    const byHead = await call(t.app, head, 'GET', '/api/reports/inspection-pack');
    expect(byHead.statusCode).toBe(403);
    expect(byHead.body).toContain('Only the DSL team');
    const backwards = await call(
      t.app,
      dsl,
      'GET',
      '/api/reports/inspection-pack?from=2026-03-01&to=2026-02-01',
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('on or after');
    const badSample = await call(t.app, dsl, 'GET', '/api/reports/inspection-pack?sample=NOPE!');
    expect(badSample.statusCode).toBe(400);
    expect((await audited('reports.inspection_pack_viewed')).length).toBe(before);
  });

  it('leaves out decisions on records the reader may not open (a restricted category closed to the deputies)', async () => {
    const deputy = await signIn(t.app, await makeUser(t.services, schoolId, 'deputy_dsl'), {
      elevated: true,
    });
    const sealed = (await categoryIds(t.services, schoolId)).filter((c) => c.restricted)[0]!;
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO group_category_access (school_id, group_id, category_id, access)
         SELECT $1, id, $2, 'none' FROM staff_groups WHERE school_id = $1 AND key = 'deputy_dsl'`,
        [schoolId, sealed.id],
      ),
    );
    const kit = await makePupil(t.services, schoolId, { firstName: 'Kit', lastName: 'Hidden' });
    const concern = await ok(dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: kit.id, role: 'subject' }],
      categoryIds: [sealed.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: 'A restricted matter.',
    });
    await ok(dsl, 'POST', `/api/concerns/${concern.id}/triage`, {
      state: 'triaged',
      risk: 'high',
      reason: 'Kit: restricted.',
    });
    const opened = await ok(dsl, 'POST', '/api/cases', { pupilId: kit.id, concernId: concern.id });
    const agencies = await call(t.app, dsl, 'GET', '/api/referral-agencies');
    await ok(dsl, 'POST', '/api/referrals', {
      pupilId: kit.id,
      agencyId: agencies.json<{ items: { id: string }[] }>().items[0]!.id,
      referredAt: new Date().toISOString(),
      concernId: concern.id,
    });
    await ok(dsl, 'POST', `/api/cases/${opened.id}/close`, {
      outcome: 'Closed',
      rationale: 'Kit is safe and settled at home now.',
    });
    const kitRef = `P-${kit.id.slice(0, 8).toUpperCase()}`;
    const byDsl = (
      await call(t.app, dsl, 'GET', '/api/reports/inspection-pack?sample=abcdef12')
    ).json<InspectionPack>();
    expect(byDsl.decisionsInRange).toBe(6);
    expect(byDsl.decisions.filter((d) => d.pupils.some((p) => p.ref === kitRef))).toHaveLength(3);
    const res = await call(t.app, deputy, 'GET', '/api/reports/inspection-pack?sample=abcdef12');
    expect(res.statusCode, res.body).toBe(200);
    const byDeputy = res.json<InspectionPack>();
    expect(byDeputy.decisionsInRange).toBe(3);
    expect(res.body).not.toContain(kitRef);
    expect(res.body).not.toContain('Kit');
  });
});
