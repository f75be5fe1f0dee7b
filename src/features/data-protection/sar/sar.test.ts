// Subject access end to end over HTTP (issue 17): gathering finds the subject as the pupil, as a
// linked pupil and named in free text; items are included or excluded with a reason; redaction
// needs its reason (and the ICO's three questions for a third party); a second DPO approves and
// a change withdraws the approval; the pack's PDF holds no redacted word, its JSON only the
// included items; the disclosure records the pack's SHA-256; a pack that would still hold a
// redacted word is refused.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
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
} from '../../../test/harness.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import type { Workbench } from '../../../shared/schemas/subject-access.ts';
import { todayInEngland } from '../requests/load.ts';
import { runSearchReindex } from '../../../jobs/search-reindex.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

async function school() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'teacher') =>
    signIn(t.app, await makeUser(t.services, schoolId, role), { elevated: true });
  const ava = await makePupil(t.services, schoolId, { firstName: 'Ava', lastName: 'Quillfeather' });
  const jordan = await makePupil(t.services, schoolId, {
    firstName: 'Jordan',
    lastName: 'Kestrel',
  });
  const categories = await categoryIds(t.services, schoolId);
  const category = categories.find((c) => !c.restricted);
  const dsl = await as('dsl');
  const concern = async (
    pupils: { pupilId: string; role: string }[],
    body: string,
    categoryId = category!.id,
  ) => {
    const res = await call(t.app, dsl, 'POST', '/api/concerns', {
      pupils,
      categoryIds: [categoryId],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  // The DPOs who work the response are in the DSL team too: only the DSL team reads and decides
  // safeguarding records on the workbench (held-back.ts).
  const dslTeamDpo = async () => {
    const user = await makeUser(t.services, schoolId, 'dpo');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO staff_group_members (school_id, group_id, user_id)
         SELECT $1, id, $2 FROM staff_groups WHERE school_id = $1 AND key = 'dsl'`,
        [schoolId, user.id],
      ),
    );
    return signIn(t.app, user, { elevated: true });
  };
  const dpo = await dslTeamDpo();
  const restricted = categories.find((c) => c.restricted)!.id;
  return { schoolId, ava, jordan, concern, restricted, dpo, dpo2: await dslTeamDpo(), as };
}

async function request(s: Session, pupilId: string) {
  const res = await call(t.app, s, 'POST', '/api/data-protection/requests', {
    kind: 'subject_access',
    requester: 'Ava Quillfeather, by email',
    relationship: 'self',
    channel: 'email',
    receivedOn: todayInEngland(new Date()),
    subjects: [pupilId],
  });
  expect(res.statusCode, res.body).toBe(201);
  return `/api/data-protection/requests/${res.json<{ id: string }>().id}`;
}
const bench = async (s: Session, url: string) => {
  const res = await call(t.app, s, 'GET', `${url}/workbench`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Workbench>();
};
/** Includes every item nobody has decided yet, as about the subject. */
async function decideRest(s: Session, url: string) {
  for (const i of (await bench(s, url)).items.filter((x) => x.reason === 'gathered')) {
    const res = await call(t.app, s, 'PATCH', `${url}/items/${i.id}`, {
      included: true,
      reason: 'about_subject',
    });
    expect(res.statusCode, res.body).toBe(200);
  }
}
/** Approves as `s` the response `s` has just read. */
const approveAs = async (s: Session, url: string) =>
  call(t.app, s, 'POST', `${url}/approve`, { digest: (await bench(s, url)).review.digest });
const third = { reason: 'third_party', canRedact: true, consent: false, reasonable: false };

describe('a subject-access response', () => {
  it('is gathered, decided, redacted, approved by a second person, packed and disclosed', async () => {
    const s = await school();
    const linked = await s.concern(
      [
        { pupilId: s.ava.id, role: 'subject' },
        { pupilId: s.jordan.id, role: 'witness' },
      ],
      'Ava said Jordan Kestrel pushed her at lunch; Mrs Plumtree saw it.',
    );
    const named = await s.concern(
      [{ pupilId: s.jordan.id, role: 'subject' }],
      'Jordan said he argued with Ava Quillfeather about a game.',
    );
    const url = await request(s.dpo, s.ava.id);
    const gathered = await call(t.app, s.dpo, 'POST', `${url}/gather`);
    expect(gathered.statusCode, gathered.body).toBe(200);
    const first = gathered.json<{ added: number; total: number }>();
    expect(first.added).toBeGreaterThanOrEqual(3);
    // Gathering again adds nothing new and keeps what was there.
    expect((await call(t.app, s.dpo, 'POST', `${url}/gather`)).json()).toEqual({
      added: 0,
      total: first.total,
    });

    let wb = await bench(s.dpo, url);
    const item = (id: string) => wb.items.find((i) => i.source === 'concern' && i.id === id)!;
    const byConcern = (foundAs: string) =>
      wb.items.find((i) => i.source === 'concern' && i.foundAs === foundAs)!;
    const mine = byConcern('pupil');
    const other = byConcern('named');
    expect(mine.text).toContain('Jordan Kestrel');
    expect(other.text).toContain('Ava Quillfeather');
    expect(wb.items.some((i) => i.source === 'mis_record')).toBe(true);
    expect(mine.suggestions).toContainEqual(
      expect.objectContaining({ name: 'Jordan Kestrel', kind: 'pupil', role: 'witness' }),
    );
    expect([linked, named]).toHaveLength(2);

    // Exclusion needs an exclusion's reason.
    const patch = (id: string, body: unknown) =>
      call(t.app, s.dpo, 'PATCH', `${url}/items/${id}`, body);
    expect((await patch(other.id, { included: false, reason: 'gathered' })).statusCode).toBe(400);
    expect((await patch(other.id, { included: false, reason: 'third_party' })).statusCode).toBe(
      200,
    );
    // Re-gathering keeps the decision.
    expect((await call(t.app, s.dpo, 'POST', `${url}/gather`)).statusCode).toBe(200);
    expect((await bench(s.dpo, url)).items.find((i) => i.id === other.id)).toMatchObject({
      included: false,
      reason: 'third_party',
    });

    // A redaction without its reason, or a third party's without the three answers, is refused.
    const at = mine.text.indexOf('Jordan Kestrel');
    const span = { start: at, end: at + 'Jordan Kestrel'.length, text: 'Jordan Kestrel' };
    const redact = (body: unknown) =>
      call(t.app, s.dpo, 'POST', `${url}/items/${mine.id}/redactions`, body);
    const noReason = await redact(span);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ error: { message: string } }>().error.message).toMatch(
      /needs its reason/,
    );
    expect((await redact({ ...span, reason: 'third_party' })).statusCode).toBe(400);
    expect((await redact({ ...span, ...third, everywhere: true })).statusCode).toBe(201);

    // Nothing is packed before the second review; the preparer cannot approve their own work.
    expect((await call(t.app, s.dpo, 'POST', `${url}/packs`)).statusCode).toBe(409);
    // Not ready while any item has no decision of its own.
    const undecided = await call(t.app, s.dpo, 'POST', `${url}/ready`);
    expect(undecided.statusCode).toBe(409);
    const { error } = undecided.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('undecided_items');
    expect(error.message).toMatch(/^\d+ item\(s\) still need a decision/);
    await decideRest(s.dpo, url);
    expect((await call(t.app, s.dpo, 'POST', `${url}/ready`)).statusCode).toBe(200);
    const self = await approveAs(s.dpo, url);
    expect(self.statusCode).toBe(403);
    expect(self.body).toMatch(/second person/i);
    // An approval of a response other than the one there now is refused.
    const stale = await call(t.app, s.dpo2, 'POST', `${url}/approve`, { digest: 'f'.repeat(64) });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<{ error: { code: string } }>().error.code).toBe('response_changed');
    expect((await approveAs(s.dpo2, url)).statusCode).toBe(200);

    // A change after approval withdraws it.
    wb = await bench(s.dpo, url);
    const plum = item(mine.id).text.indexOf('Mrs Plumtree');
    expect(
      (
        await redact({
          start: plum,
          end: plum + 'Mrs Plumtree'.length,
          reason: 'third_party',
          canRedact: true,
          consent: false,
          reasonable: true,
        })
      ).statusCode,
    ).toBe(201);
    wb = await bench(s.dpo, url);
    expect(wb.review).toMatchObject({ readyAt: null, approvedAt: null });
    expect((await call(t.app, s.dpo, 'POST', `${url}/packs`)).statusCode).toBe(409);
    expect((await call(t.app, s.dpo, 'POST', `${url}/ready`)).statusCode).toBe(200);
    expect((await approveAs(s.dpo2, url)).statusCode).toBe(200);

    const made = await call(t.app, s.dpo2, 'POST', `${url}/packs`);
    expect(made.statusCode, made.body).toBe(201);
    const pack = made.json<{ id: string; pdfSha256: string }>();
    const pdf = await call(t.app, s.dpo, 'GET', `${url}/packs/${pack.id}/pdf`);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(pack.pdfSha256);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(text).not.toMatch(/Jordan|Kestrel|Plumtree/);
    expect(text).toContain('[redacted: third party]');
    expect(text).toContain('Information Commissioner');
    expect(text).toContain('Ava said');
    const json = await call(t.app, s.dpo, 'GET', `${url}/packs/${pack.id}/json`);
    const copy = json.json<{ items: { title: string; text: string }[] }>();
    expect(copy.items.some((i) => i.text.startsWith('Ava said'))).toBe(true);
    expect(json.body).not.toMatch(/Jordan|Kestrel|argued/);
    const csv = await call(t.app, s.dpo, 'GET', `${url}/packs/${pack.id}/csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toMatch(/Jordan/);

    const disclosed = await call(t.app, s.dpo, 'POST', `${url}/disclosures`, {
      packId: pack.id,
      recipient: 'Ava Quillfeather, 1 Road',
      method: 'secure_link',
      disclosedOn: todayInEngland(new Date()),
    });
    expect(disclosed.statusCode, disclosed.body).toBe(201);
    wb = await bench(s.dpo, url);
    expect(wb.disclosures).toEqual([
      expect.objectContaining({ method: 'secure_link', sha256: pack.pdfSha256 }),
    ]);
    // Now, and only now, the request may be closed as released.
    const closed = await call(t.app, s.dpo, 'POST', `${url}/close`, {
      outcome: 'released',
      note: 'Sent by secure link',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    // The pack is served as stored, byte for byte, after the request is closed and whatever
    // changes in the live data (here the school's name, printed in every file).
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE schools SET name = 'Renamed School' WHERE id = $1`, [s.schoolId]),
    );
    expect((await call(t.app, s.dpo, 'GET', `${url}/packs/${pack.id}/json`)).body).toBe(json.body);
    const again = await call(t.app, s.dpo, 'GET', `${url}/packs/${pack.id}/pdf`);
    expect(createHash('sha256').update(again.rawPayload).digest('hex')).toBe(pack.pdfSha256);
    const actions = (await auditRows(t, s.schoolId)).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dp.sar_gathered',
        'dp.sar_workbench_viewed',
        'dp.sar_approval_withdrawn',
        'dp.sar_pack_made',
        'dp.sar_pack_downloaded',
        'dp.sar_disclosed',
      ]),
    );
    // Not the DSL's, nor a teacher's; another school's DPO is told it does not exist.
    for (const role of ['dsl', 'teacher'] as const)
      expect((await call(t.app, await s.as(role), 'GET', `${url}/workbench`)).statusCode).toBe(403);
    const elsewhere = await makeSchool(t.services);
    const theirs = await signIn(t.app, await makeUser(t.services, elsewhere, 'dpo'), {
      elevated: true,
    });
    for (const [method, path] of [
      ['GET', `${url}/workbench`],
      ['POST', `${url}/gather`],
      ['GET', `${url}/packs/${pack.id}/pdf`],
    ] as const)
      expect((await call(t.app, theirs, method, path)).statusCode).toBe(404);
  });

  it('waits for the search re-index before gathering, so no record naming the child is missed', async () => {
    const s = await school();
    await s.concern(
      [{ pupilId: s.jordan.id, role: 'subject' }],
      'Jordan said he argued with Ava Quillfeather about a game.',
    );
    // As after an upgrade: the record still holds tokens of an older index version.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE concerns SET index_version = 1, search_tokens = '{}' WHERE school_id = $1`, [
        s.schoolId,
      ]),
    );
    const url = await request(s.dpo, s.ava.id);
    const refused = await call(t.app, s.dpo, 'POST', `${url}/gather`);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      /still rebuilding its search index .* Nothing was gathered/,
    );
    expect((await bench(s.dpo, url)).items).toEqual([]);
    await runSearchReindex(t.services, new Date(), { only: [s.schoolId] });
    const gathered = await call(t.app, s.dpo, 'POST', `${url}/gather`);
    expect(gathered.statusCode, gathered.body).toBe(200);
    const wb = await bench(s.dpo, url);
    expect(wb.items.some((i) => i.source === 'concern' && i.foundAs === 'named')).toBe(true);
  });

  it('holds a restricted record back from a DPO outside the DSL team', async () => {
    const s = await school();
    await s.concern(
      [{ pupilId: s.ava.id, role: 'subject' }],
      'Prevent: Ava was shown a video.',
      s.restricted,
    );
    const plain = await s.as('dpo');
    const url = await request(plain, s.ava.id);
    expect((await call(t.app, plain, 'POST', `${url}/gather`)).statusCode).toBe(200);
    const held = (await bench(plain, url)).items.find((i) => i.source === 'concern')!;
    expect(held).toMatchObject({ heldBack: true, text: '', suggestions: [] });
    const decide = (who: Session) =>
      call(t.app, who, 'PATCH', `${url}/items/${held.id}`, {
        included: true,
        reason: 'about_subject',
      });
    const refused = await decide(plain);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toMatch(/Only the DSL team can read and decide on this record/);
    const redacting = await call(t.app, plain, 'POST', `${url}/items/${held.id}/redactions`, {
      start: 0,
      end: 7,
      reason: 'crime',
    });
    expect(redacting.statusCode).toBe(403);
    // A DPO in the DSL team reads and decides it.
    const seen = (await bench(s.dpo, url)).items.find((i) => i.id === held.id)!;
    expect(seen).toMatchObject({ heldBack: false, text: 'Prevent: Ava was shown a video.' });
    expect((await decide(s.dpo)).statusCode).toBe(200);
  });

  it('refuses a pack that would still hold a redacted word', async () => {
    const s = await school();
    await s.concern(
      [{ pupilId: s.ava.id, role: 'subject' }],
      'Jordan Kestrel was there. Later Jordan Kestrel left.',
    );
    const url = await request(s.dpo, s.ava.id);
    expect((await call(t.app, s.dpo, 'POST', `${url}/gather`)).statusCode).toBe(200);
    const mine = (await bench(s.dpo, url)).items.find((i) => i.source === 'concern')!;
    const r = await call(t.app, s.dpo, 'POST', `${url}/items/${mine.id}/redactions`, {
      start: 0,
      end: 'Jordan Kestrel'.length,
      ...third,
    });
    expect(r.statusCode, r.body).toBe(201);
    await decideRest(s.dpo, url);
    expect((await call(t.app, s.dpo, 'POST', `${url}/ready`)).statusCode).toBe(200);
    expect((await approveAs(s.dpo2, url)).statusCode).toBe(200);
    const made = await call(t.app, s.dpo, 'POST', `${url}/packs`);
    expect(made.statusCode).toBe(409);
    expect(made.json<{ error: { code: string } }>().error.code).toBe('redacted_text_remains');
  });
});
