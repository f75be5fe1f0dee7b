// Admission forms end to end on both engines (issue 21): staff build a form bound to MIS fields
// and send it; a parent saves, returns and submits once; answers are checked against the CBDS
// code sets; staff review the difference against the MIS (a field the MIS changed since sending
// is a conflict to resolve), accept and reject fields (the reason internal); accepted fields are
// exported as the write-back CSV and marked; Lantern's own copy is left as the MIS sent it. Bad
// input is refused, nothing changed, and audited.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import type {
  AdmissionFormDetail,
  Answers,
  AdmissionReview,
  WritebackFile,
  WritebackQueue,
} from '../../shared/admissions.ts';
import { formsForChild, readForParent, saveAnswers } from './answers.ts';
import { auditingRefusals } from './refusals.ts';
import { asParent, makeFamily, type Family } from './forms-test-kit.ts';
import { WRITEBACK_COLUMNS } from './writeback.ts';
import { DomainError } from '../../core/errors.ts';
import { makeParent, parentCall, signInParent } from '../parents/parent-test-kit.ts';

let t: TestApp;
const clock = testClock();
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const QUESTIONS = [
  { field: 'preferred_forename', required: false },
  { field: 'ethnicity', required: true },
  { field: 'first_language', required: true },
  { field: 'dietary_needs', required: false },
  { field: 'medical_conditions', required: false },
  { field: 'contact_1', required: false },
];

async function setUp() {
  const schoolId = await makeSchool(t.services);
  const admin = await makeUser(t.services, schoolId, 'school_admin');
  const s = await signIn(t.app, admin, { elevated: true });
  const family = await makeFamily(t.services, schoolId);
  const other = await makeFamily(t.services, schoolId, { firstName: 'Otto' });
  const made = await call(t.app, s, 'POST', '/api/admissions/forms', {
    title: 'Nursery admission 2027',
    intake: 'nursery',
    questions: QUESTIONS,
  });
  expect(made.statusCode, made.body).toBe(201);
  const formId = made.json<{ id: string }>().id;
  const sent = await call(t.app, s, 'POST', `/api/admissions/forms/${formId}/send`, {
    pupilIds: [family.pupilId, other.pupilId],
  });
  expect(sent.statusCode, sent.body).toBe(200);
  expect(sent.json()).toEqual({ sent: 2 });
  const detail = (
    await call(t.app, s, 'GET', `/api/admissions/forms/${formId}`)
  ).json<AdmissionFormDetail>();
  const requestOf = (f: Family) => detail.requests.find((r) => r.pupilId === f.pupilId)!.id;
  return {
    schoolId,
    s,
    family,
    other,
    formId,
    requestId: requestOf(family),
    otherRequestId: requestOf(other),
  };
}
type SetUp = Awaited<ReturnType<typeof setUp>>;

/** A parent's save, through the same refusal audit the parent route uses. */
const parentSave = (u: SetUp, answers: Answers, submit: boolean, requestId = u.requestId) =>
  auditingRefusals(asParent(t.services, u.schoolId), submit ? 'submit' : 'save', requestId, () =>
    asParent(
      t.services,
      u.schoolId,
    )((tx) =>
      saveAnswers(tx, requestId, [u.family.pupilId], u.family.mum, {
        answers,
        submit,
      }),
    ),
  );
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};
const review = async (u: SetUp) => {
  const res = await call(t.app, u.s, 'GET', `/api/admissions/requests/${u.requestId}/review`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AdmissionReview>();
};

describe('admission forms', () => {
  it('saves partial answers to return to, then submits once; a second submission is refused', async () => {
    const u = await setUp();
    await parentSave(
      u,
      { ethnicity: 'MWBC', medical_conditions: 'Peanut allergy: carries an adrenaline pen.' },
      false,
    );
    const back = await asParent(
      t.services,
      u.schoolId,
    )((tx) => readForParent(tx, u.requestId, [u.family.pupilId], u.family.mum));
    expect(back.status).toBe('in_progress');
    expect(back.answers).toEqual({
      ethnicity: 'MWBC',
      medical_conditions: 'Peanut allergy: carries an adrenaline pen.',
    });
    // Submitting without a required answer is refused naming the field.
    const missing = await refusal(parentSave(u, { ethnicity: 'MWBC' }, true));
    expect(missing.message).toMatch(/^First language:/);
    await parentSave(
      u,
      {
        ethnicity: 'MWBC',
        first_language: 'POL',
        medical_conditions: 'Peanut allergy: carries an adrenaline pen.',
      },
      true,
    );
    const again = await refusal(parentSave(u, { ethnicity: 'WBRI', first_language: 'ENG' }, true));
    expect(again.kind).toBe('conflict');
    expect(again.code).toBe('already_submitted');
    const kept = await asParent(
      t.services,
      u.schoolId,
    )((tx) => readForParent(tx, u.requestId, [u.family.pupilId], u.family.mum));
    expect(kept.answers.ethnicity).toBe('MWBC');
    expect(kept.status).toBe('submitted');
    // Sealed at rest: the medical answer is not in the table in clear.
    const [raw] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ answers: Buffer }>(
        'SELECT answers FROM admission_responses WHERE request_id = $1 AND contact_id = $2',
        [u.requestId, u.family.mum],
      ),
    );
    expect(Buffer.from(raw!.answers).toString('latin1')).not.toContain('Peanut');
    const trail = await auditRows(t, u.schoolId);
    expect(trail.map((r) => r.action)).toEqual(
      expect.arrayContaining(['admissions.answers_saved', 'admissions.submitted']),
    );
    expect(
      trail.find(
        (r) => r.action === 'admissions.refused' && r.details.code === 'already_submitted',
      ),
    ).toBeTruthy();
    expect(JSON.stringify(trail)).not.toContain('Peanut');
  });

  it("gives each parent their own copy: neither sees the other's answers, each submits once", async () => {
    const u = await setUp();
    await parentSave(u, { ethnicity: 'WIRI', preferred_forename: 'Nia' }, false);
    const run = asParent(t.services, u.schoolId);
    const dadSave = (answers: Answers, submit: boolean) =>
      auditingRefusals(run, submit ? 'submit' : 'save', u.requestId, () =>
        run((tx) =>
          saveAnswers(tx, u.requestId, [u.family.pupilId], u.family.dad, { answers, submit }),
        ),
      );
    // Dad opens the same form: blank, his own, not "being completed by another parent".
    const dadSees = await run((tx) =>
      readForParent(tx, u.requestId, [u.family.pupilId], u.family.dad),
    );
    expect(dadSees).toMatchObject({ answers: {}, status: 'sent', savedAt: null });
    expect(JSON.stringify(dadSees)).not.toContain('WIRI');
    await dadSave({ ethnicity: 'WBRI', first_language: 'ENG' }, true);
    // Mum's answers are untouched by dad's; dad's list shows his copy sent, mum's hers in progress.
    const mumSees = await run((tx) =>
      readForParent(tx, u.requestId, [u.family.pupilId], u.family.mum),
    );
    expect(mumSees).toMatchObject({
      answers: { ethnicity: 'WIRI', preferred_forename: 'Nia' },
      status: 'in_progress',
    });
    expect(JSON.stringify(mumSees)).not.toContain('WBRI');
    expect(
      (await run((tx) => formsForChild(tx, u.family.pupilId, u.family.dad))).items[0]!.status,
    ).toBe('submitted');
    expect(
      (await run((tx) => formsForChild(tx, u.family.pupilId, u.family.mum))).items[0]!.status,
    ).toBe('in_progress');
    // Dad's second submission is refused (409) and changes nothing; mum may still send hers.
    const again = await refusal(dadSave({ ethnicity: 'MWBC', first_language: 'POL' }, true));
    expect(again).toMatchObject({ kind: 'conflict', code: 'already_submitted' });
    const dadAfter = await run((tx) =>
      readForParent(tx, u.requestId, [u.family.pupilId], u.family.dad),
    );
    expect(dadAfter.answers).toEqual({ ethnicity: 'WBRI', first_language: 'ENG' });
    await parentSave(u, { ethnicity: 'WIRI', first_language: 'ENG' }, true);
    const mumAgain = await refusal(
      parentSave(u, { ethnicity: 'WIRI', first_language: 'ENG' }, true),
    );
    expect(mumAgain.code).toBe('already_submitted');
    // Each copy sealed under its own binding: mum's bytes do not open as dad's.
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ contact_id: string; answers: Buffer }>(
        'SELECT contact_id, answers FROM admission_responses WHERE request_id = $1',
        [u.requestId],
      ),
    );
    expect(rows).toHaveLength(2);
    const mumBytes = rows.find((r) => r.contact_id === u.family.mum)!.answers;
    await expect(
      run(async (tx) =>
        (await tx.sealer()).openJson(
          'admission_responses.answers',
          `${u.requestId}:${u.family.dad}`,
          Buffer.from(mumBytes),
        ),
      ),
    ).rejects.toThrow();
    const refused = (await auditRows(t, u.schoolId)).filter(
      (r) => r.action === 'admissions.refused' && r.target_id === u.requestId,
    );
    expect(refused.map((r) => r.details.code)).toEqual(['already_submitted', 'already_submitted']);
  });

  it("flags a field where the parents' sent answers differ, and lets staff choose one for the MIS", async () => {
    const u = await setUp();
    const run = asParent(t.services, u.schoolId);
    await parentSave(u, { ethnicity: 'MWBC', first_language: 'POL', dietary_needs: 'VEG' }, true);
    // Dad has started but not sent: staff see that he has, and none of his answers.
    await run((tx) =>
      saveAnswers(tx, u.requestId, [u.family.pupilId], u.family.dad, {
        answers: { ethnicity: 'WBRI', first_language: 'POL', dietary_needs: 'HAL' },
        submit: false,
      }),
    );
    const early = await review(u);
    const dadEarly = early.parents.find((p) => p.contactId === u.family.dad)!;
    expect(dadEarly).toMatchObject({ parentName: 'Dev Parent', status: 'in_progress', fields: [] });
    expect(JSON.stringify(early)).not.toContain('HAL');
    const mumEarly = early.parents.find((p) => p.contactId === u.family.mum)!;
    expect(mumEarly.fields.every((f) => !f.disagreement)).toBe(true);
    await run((tx) =>
      saveAnswers(tx, u.requestId, [u.family.pupilId], u.family.dad, {
        answers: { ethnicity: 'WBRI', first_language: 'POL', dietary_needs: 'HAL' },
        submit: true,
      }),
    );
    const r = await review(u);
    expect(r.status).toBe('submitted');
    const of = (contact: string, field: string) =>
      r.parents.find((p) => p.contactId === contact)!.fields.find((f) => f.field === field)!;
    expect(of(u.family.mum, 'ethnicity')).toMatchObject({
      answer: 'MWBC (White and Black Caribbean)',
      disagreement: true,
      allowed: ['accept', 'reject'],
    });
    expect(of(u.family.dad, 'ethnicity')).toMatchObject({
      answer: 'WBRI (White - British)',
      disagreement: true,
    });
    expect(of(u.family.mum, 'first_language').disagreement).toBe(false);
    expect(of(u.family.dad, 'dietary_needs').disagreement).toBe(true);
    // Nothing is applied automatically: the queue is empty until staff choose.
    const empty = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    expect(empty.pending).toEqual([]);
    const decide = (body: Record<string, unknown>) =>
      call(t.app, u.s, 'POST', `/api/admissions/requests/${u.requestId}/decisions`, body);
    const chose = await decide({
      contactId: u.family.dad,
      field: 'ethnicity',
      decision: 'accepted',
    });
    expect(chose.statusCode, chose.body).toBe(200);
    const after = chose.json<AdmissionReview>();
    const mumEthnicity = after.parents
      .find((p) => p.contactId === u.family.mum)!
      .fields.find((f) => f.field === 'ethnicity')!;
    expect(mumEthnicity.allowed).toEqual(['reject']);
    // Mum's answer to the same field cannot be queued as well: one value per field goes back.
    const second = await decide({
      contactId: u.family.mum,
      field: 'ethnicity',
      decision: 'accepted',
    });
    expect(second.statusCode).toBe(409);
    expect(errorOf(second)).toMatchObject({ code: 'accepted_from_another_parent' });
    expect(errorOf(second).message).toMatch(/Dev Parent’s answer has already been accepted/);
    expect(
      (
        await decide({
          contactId: u.family.mum,
          field: 'ethnicity',
          decision: 'rejected',
          reason: 'Dad’s answer matches the birth certificate.',
        })
      ).statusCode,
    ).toBe(200);
    const queue = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    expect(queue.pending.map((p) => [p.field, p.value])).toEqual([
      ['ethnicity', 'WBRI (White - British)'],
    ]);
    // A decision on a parent who has not sent a copy (or is not this child's) is refused.
    const stranger = await decide({
      contactId: u.other.mum,
      field: 'dietary_needs',
      decision: 'accepted',
    });
    expect(stranger.statusCode).toBe(409);
    expect(errorOf(stranger).code).toBe('not_submitted');
    const trail = await auditRows(t, u.schoolId);
    const decided = trail.filter((a) => a.action === 'admissions.field_decided');
    expect(decided.map((a) => a.details)).toEqual([
      {
        field: 'ethnicity',
        decision: 'accepted',
        conflict: false,
        disagreement: true,
        contact: u.family.dad,
      },
      {
        field: 'ethnicity',
        decision: 'rejected',
        conflict: false,
        disagreement: true,
        contact: u.family.mum,
      },
    ]);
    expect(
      trail
        .filter((a) => a.action === 'admissions.refused')
        .map((a) => a.details.code)
        .sort(),
    ).toEqual(['accepted_from_another_parent', 'not_submitted']);
    expect(JSON.stringify(trail)).not.toContain('birth certificate');
  });

  it('saves a contact half filled in to come back to; sending asks for it complete', async () => {
    const u = await setUp();
    const half = {
      forename: 'Mia',
      surname: '',
      relationship: '',
      parentalResponsibility: false,
      telephone: '',
      email: '',
    };
    const saved = await parentSave(u, { ethnicity: 'WIRI', contact_1: half }, false);
    expect(saved.answers.contact_1).toEqual(half);
    const sent = await refusal(
      parentSave(u, { ethnicity: 'WIRI', first_language: 'ENG', contact_1: half }, true),
    );
    expect(sent).toMatchObject({ code: 'required', field: 'contact_1' });
    expect(sent.message).toMatch(
      /^First contact: give the contact’s first name, surname and relationship/,
    );
    const blank = { ...half, forename: '' };
    const skipped = await parentSave(u, { ethnicity: 'WIRI', contact_1: blank }, false);
    expect(skipped.answers.contact_1).toBeUndefined();
  });

  it('refuses a code the MIS does not know, naming the field, saving nothing, and audits it', async () => {
    const u = await setUp();
    const bad = await refusal(parentSave(u, { ethnicity: 'XXXX', first_language: 'POL' }, false));
    expect(bad.kind).toBe('invalid');
    expect(bad.message).toMatch(/^Ethnicity: “XXXX” is not a code the MIS knows/);
    const rel = await refusal(
      parentSave(
        u,
        {
          contact_1: {
            forename: 'A',
            surname: 'B',
            relationship: 'ZZZ',
            parentalResponsibility: true,
            telephone: '',
            email: '',
          },
        },
        false,
      ),
    );
    expect(rel.message).toMatch(/^First contact: “ZZZ” is not a relationship/);
    const saved = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM admission_responses WHERE request_id = $1', [u.requestId]),
    );
    expect(saved).toEqual([]);
    const refused = (await auditRows(t, u.schoolId)).filter(
      (r) => r.action === 'admissions.refused',
    );
    expect(refused.map((r) => r.details)).toEqual(
      expect.arrayContaining([
        { attempt: 'save', code: 'unknown_code', field: 'ethnicity' },
        { attempt: 'save', code: 'unknown_code', field: 'contact_1' },
      ]),
    );
  });

  it("answers 404 to a parent asking for another family's child's form by id, and audits it", async () => {
    const u = await setUp();
    const mine = await asParent(
      t.services,
      u.schoolId,
    )((tx) => formsForChild(tx, u.family.pupilId, u.family.mum));
    expect(mine.items.map((i) => i.id)).toEqual([u.requestId]);
    const open = await refusal(
      auditingRefusals(asParent(t.services, u.schoolId), 'open', u.otherRequestId, () =>
        asParent(
          t.services,
          u.schoolId,
        )((tx) => readForParent(tx, u.otherRequestId, [u.family.pupilId], u.family.mum)),
      ),
    );
    expect(open.kind).toBe('not_found');
    const save = await refusal(parentSave(u, { ethnicity: 'WBRI' }, false, u.otherRequestId));
    expect(save.kind).toBe('not_found');
    const saved = await unsafeAsOwner(t.services.db, (q) =>
      q.query('SELECT 1 FROM admission_responses WHERE request_id = $1', [u.otherRequestId]),
    );
    expect(saved).toEqual([]);
    const refused = (await auditRows(t, u.schoolId)).filter(
      (r) => r.action === 'admissions.refused',
    );
    expect(
      refused.filter((r) => r.target_id === u.otherRequestId).map((r) => r.details.code),
    ).toEqual(['not_found', 'not_found']);
  });

  it('reviews field by field, flags a conflict, keeps a rejection internal, exports the write-back file', async () => {
    const u = await setUp();
    await parentSave(
      u,
      {
        preferred_forename: 'Nia',
        ethnicity: 'MWBC',
        first_language: 'POL',
        dietary_needs: 'VEG',
        contact_1: {
          forename: 'Mia',
          surname: 'Parent',
          relationship: 'PAR',
          parentalResponsibility: true,
          telephone: '+44 7700 900123',
          email: 'mia@example.invalid',
        },
      },
      true,
    );
    // The MIS changes the first language after the form went out.
    await asSystem(t.services, u.schoolId, 'mis_sync').tx(async (tx) => {
      const sealer = await tx.sealer();
      await tx.q('UPDATE pupils SET first_language_code = $2 WHERE id = $1', [
        u.family.pupilId,
        sealer.seal('pupils.first_language_code', u.family.pupilId, 'ENB'),
      ]);
    });
    const r = await review(u);
    const f = (k: string) => r.parents[0]!.fields.find((x) => x.field === k)!;
    expect(f('ethnicity')).toMatchObject({
      misNow: 'WBRI (White - British)',
      answer: 'MWBC (White and Black Caribbean)',
      changed: true,
      conflict: false,
      allowed: ['accept', 'reject'],
    });
    expect(f('first_language')).toMatchObject({
      misWhenSent: 'ENG (English)',
      misNow: 'ENB (Believed to be English)',
      conflict: true,
    });
    expect(f('preferred_forename')).toMatchObject({ changed: false });
    expect(f('medical_conditions')).toMatchObject({ answer: null, allowed: [] });

    const decide = (body: Record<string, unknown>) =>
      call(t.app, u.s, 'POST', `/api/admissions/requests/${u.requestId}/decisions`, {
        contactId: u.family.mum,
        ...body,
      });
    const unresolved = await decide({ field: 'first_language', decision: 'accepted' });
    expect(unresolved.statusCode).toBe(409);
    expect(errorOf(unresolved).code).toBe('conflict_unresolved');
    expect(
      (await decide({ field: 'first_language', decision: 'accepted', conflictResolved: true }))
        .statusCode,
    ).toBe(200);
    expect((await decide({ field: 'ethnicity', decision: 'accepted' })).statusCode).toBe(200);
    expect((await decide({ field: 'contact_1', decision: 'accepted' })).statusCode).toBe(200);
    const rejected = await decide({
      field: 'dietary_needs',
      decision: 'rejected',
      reason: 'Spoke to mum: not vegetarian now.',
    });
    expect(rejected.statusCode).toBe(200);
    expect(
      rejected.json<AdmissionReview>().parents[0]!.fields.find((x) => x.field === 'dietary_needs'),
    ).toMatchObject({ decision: 'rejected', reason: 'Spoke to mum: not vegetarian now.' });
    const twice = await decide({ field: 'ethnicity', decision: 'rejected' });
    expect(twice.statusCode).toBe(409);
    // The parent's view carries no decision and no reason.
    const parentView = await asParent(
      t.services,
      u.schoolId,
    )((tx) => readForParent(tx, u.requestId, [u.family.pupilId], u.family.mum));
    expect(JSON.stringify(parentView)).not.toMatch(/not vegetarian|rejected|accepted/);

    const queue = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    expect(queue.pending.map((p) => p.field).sort()).toEqual([
      'contact_1',
      'ethnicity',
      'first_language',
    ]);
    expect(queue.allowed).toEqual(['export']);
    const exported = await call(t.app, u.s, 'POST', '/api/admissions/writeback/export');
    expect(exported.statusCode, exported.body).toBe(200);
    const file = exported.json<WritebackFile>();
    const lines = file.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(WRITEBACK_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes(',Ethnicity,'))).toMatch(
      /,Ethnicity,MWBC,White and Black Caribbean,/,
    );
    expect(lines.find((l) => l.includes(',Contact,'))).toMatch(
      /,Contact,PAR,,1,Parent,Mia,Parent,Y,07700 900123,mia@example.invalid,/,
    );
    expect(file.rows).toBe(3);
    const again = await call(t.app, u.s, 'POST', '/api/admissions/writeback/export');
    expect(again.statusCode).toBe(409);
    const after = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    expect(after.pending).toEqual([]);
    expect(after.exports[0]).toMatchObject({ id: file.id, rows: 3, sha256: file.sha256 });
    // Lantern's own copy is not changed: the MIS stays the source of truth.
    const held = await asSystem(t.services, u.schoolId, 'operator').tx(async (tx) => {
      const [p] = await tx.q<{ ethnicity_code: Buffer }>(
        'SELECT ethnicity_code FROM pupils WHERE id = $1',
        [u.family.pupilId],
      );
      return (await tx.sealer()).open('pupils.ethnicity_code', u.family.pupilId, p!.ethnicity_code);
    });
    expect(held).toBe('WBRI');
    const trail = await auditRows(t, u.schoolId);
    expect(trail.filter((a) => a.action === 'mis_writeback.queued')).toHaveLength(3);
    expect(trail.filter((a) => a.action === 'mis_writeback.row_exported')).toHaveLength(3);
    expect(trail.find((a) => a.action === 'mis_writeback.exported')?.details).toEqual({
      rows: 3,
      sha256: file.sha256,
    });
    expect(JSON.stringify(trail)).not.toContain('not vegetarian');
  });

  it('refuses to accept a copy from a parent the DSL restricted after sending, and audits it', async () => {
    const u = await setUp();
    await parentSave(u, { ethnicity: 'MWBC', first_language: 'POL' }, true);
    // A court order arrives after the parent sent their copy.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO contact_restrictions (school_id, pupil_id, contact_id, kind, court_order)
         VALUES ($1, $2, $3, 'no_contact', true)`,
        [u.schoolId, u.family.pupilId, u.family.mum],
      ),
    );
    const r = await review(u);
    expect(r.parents[0]).toMatchObject({ restricted: true });
    expect(r.parents[0]!.fields.find((x) => x.field === 'ethnicity')).toMatchObject({
      answer: 'MWBC (White and Black Caribbean)',
      allowed: ['reject'],
    });
    const accepted = await call(
      t.app,
      u.s,
      'POST',
      `/api/admissions/requests/${u.requestId}/decisions`,
      { contactId: u.family.mum, field: 'ethnicity', decision: 'accepted' },
    );
    expect(accepted.statusCode).toBe(409);
    expect(errorOf(accepted)).toMatchObject({ code: 'contact_restricted' });
    expect(errorOf(accepted).message).toMatch(/restricted by the designated safeguarding lead/);
    const queue = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    expect(queue.pending).toEqual([]);
    const trail = await auditRows(t, u.schoolId);
    expect(trail.filter((a) => a.action === 'admissions.field_decided')).toEqual([]);
    expect(trail.find((a) => a.action === 'admissions.refused')?.details).toMatchObject({
      code: 'contact_restricted',
    });
    // Rejecting stays open: the copy is answered, and nothing reaches the MIS.
    const rejected = await call(
      t.app,
      u.s,
      'POST',
      `/api/admissions/requests/${u.requestId}/decisions`,
      { contactId: u.family.mum, field: 'ethnicity', decision: 'rejected', reason: 'Court order' },
    );
    expect(rejected.statusCode, rejected.body).toBe(200);
  });

  it('decides one field at a time: two accepts at once queue it once, an accept and a reject never export a rejection', async () => {
    const u = await setUp();
    await parentSave(u, { ethnicity: 'MWBC', first_language: 'POL', dietary_needs: 'VEG' }, true);
    const decide = (body: Record<string, unknown>) =>
      call(t.app, u.s, 'POST', `/api/admissions/requests/${u.requestId}/decisions`, {
        contactId: u.family.mum,
        ...body,
      });
    const accepts = await Promise.all([
      decide({ field: 'ethnicity', decision: 'accepted' }),
      decide({ field: 'ethnicity', decision: 'accepted' }),
    ]);
    expect(accepts.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const second = errorOf(accepts.find((r) => r.statusCode === 409)!);
    expect(second.code).toBe('already_accepted');
    expect(second.message).toMatch(/already been accepted/);
    const both = await Promise.all([
      decide({ field: 'dietary_needs', decision: 'accepted' }),
      decide({ field: 'dietary_needs', decision: 'rejected', reason: 'No.' }),
    ]);
    expect(both.every((r) => r.statusCode === 200 || r.statusCode === 409)).toBe(true);
    const r = await review(u);
    const queue = (
      await call(t.app, u.s, 'GET', '/api/admissions/writeback')
    ).json<WritebackQueue>();
    const dietary = r.parents[0]!.fields.find((f) => f.field === 'dietary_needs')!;
    expect(queue.pending.filter((p) => p.field === 'ethnicity')).toHaveLength(1);
    expect(queue.pending.some((p) => p.field === 'dietary_needs')).toBe(
      dietary.decision === 'accepted',
    );
    const rejectTwice = await decide({ field: 'first_language', decision: 'rejected' });
    expect(rejectTwice.statusCode).toBe(200);
    expect(errorOf(await decide({ field: 'first_language', decision: 'rejected' })).code).toBe(
      'already_rejected',
    );
  });

  it.skipIf(inject('engine') !== 'postgres')(
    'a decision waits for another decision on the same form to finish (row lock)',
    async () => {
      const u = await setUp();
      await parentSave(u, { ethnicity: 'MWBC', first_language: 'POL' }, true);
      let done = false;
      const waiting = await unsafeAsOwner(t.services.db, async (q) => {
        // Another decision in flight holds the form (FOR NO KEY UPDATE leaves foreign keys free).
        await q.query('SELECT id FROM admission_requests WHERE id = $1 FOR NO KEY UPDATE', [
          u.requestId,
        ]);
        const waiting = call(
          t.app,
          u.s,
          'POST',
          `/api/admissions/requests/${u.requestId}/decisions`,
          { contactId: u.family.mum, field: 'ethnicity', decision: 'accepted' },
        ).then((r) => {
          done = true;
          return r;
        });
        await new Promise((r) => setTimeout(r, 400));
        expect(done).toBe(false);
        return { waiting };
      });
      expect((await waiting.waiting).statusCode).toBe(200);
    },
  );

  it('the app role cannot rewrite a snapshot or a form, nor move an exported row', async () => {
    const u = await setUp();
    await parentSave(u, { ethnicity: 'MWBC', first_language: 'POL' }, true);
    await call(t.app, u.s, 'POST', `/api/admissions/requests/${u.requestId}/decisions`, {
      contactId: u.family.mum,
      field: 'ethnicity',
      decision: 'accepted',
    });
    expect((await call(t.app, u.s, 'POST', '/api/admissions/writeback/export')).statusCode).toBe(
      200,
    );
    const asApp = (sql: string) => inSchool(t.services.db, u.schoolId, (tx) => tx.query(sql));
    await expect(asApp(`UPDATE admission_requests SET mis_snapshot = '\\x00'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE admission_requests SET form_id = form_id`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE admission_forms SET title = 'x'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE mis_writeback_rows SET value = '\\x00'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE mis_writeback_rows SET export_id = NULL`)).rejects.toThrow(
      /export_id is set once/,
    );
  });

  it('sends a form to a whole intake, once each; an empty intake is refused', async () => {
    const u = await setUp();
    const nursery = await makeFamily(t.services, u.schoolId, { firstName: 'Nell' }); // Nursery
    const res = await call(t.app, u.s, 'POST', `/api/admissions/forms/${u.formId}/send`, {
      yearGroup: 'Nursery',
    });
    expect(res.statusCode, res.body).toBe(200);
    // Every nursery pupil of this school: the two already sent it are not sent it again.
    expect(res.json()).toEqual({ sent: 1 });
    const detail = (
      await call(t.app, u.s, 'GET', `/api/admissions/forms/${u.formId}`)
    ).json<AdmissionFormDetail>();
    expect(detail.requests.map((r) => r.pupilId)).toContain(nursery.pupilId);
    const empty = await call(t.app, u.s, 'POST', `/api/admissions/forms/${u.formId}/send`, {
      yearGroup: 'Year 13',
    });
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).code).toBe('empty_intake');
  });

  it('keeps staff without the parents capability out', async () => {
    const u = await setUp();
    const teacher = await makeUser(t.services, u.schoolId, 'teacher');
    const ts: Session = await signIn(t.app, teacher, { elevated: true });
    for (const [m, url] of [
      ['GET', '/api/admissions/forms'],
      ['GET', `/api/admissions/requests/${u.requestId}/review`],
      ['GET', '/api/admissions/writeback'],
    ] as const) {
      expect((await call(t.app, ts, m, url)).statusCode).toBe(403);
    }
    // Another school's member with the capability gets 404 for this school's form.
    const otherSchool = await makeSchool(t.services);
    const head = await signIn(t.app, await makeUser(t.services, otherSchool, 'school_admin'), {
      elevated: true,
    });
    expect((await call(t.app, head, 'GET', `/api/admissions/forms/${u.formId}`)).statusCode).toBe(
      404,
    );
    expect(
      (await call(t.app, head, 'GET', `/api/admissions/requests/${u.requestId}/review`)).statusCode,
    ).toBe(404);
  });
});

describe('through the parents’ door', () => {
  it('a signed-in parent saves, returns, submits once, and answers a consent form', async () => {
    const u = await setUp();
    const parent = await makeParent(t, u.schoolId, [u.family.pupilId]);
    const ps = await signInParent(t, parent);
    const base = `/api/parent/children/${u.family.pupilId}`;
    const list = await parentCall(t, ps, 'GET', `${base}/admissions`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([u.requestId]);
    const url = `${base}/admissions/${u.requestId}`;
    const bad = await parentCall(t, ps, 'PUT', url, {
      answers: { ethnicity: 'ZZZZ' },
      submit: false,
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toMatch(/^Ethnicity:/);
    const saved = await parentCall(t, ps, 'PUT', url, {
      answers: { ethnicity: 'WIRI' },
      submit: false,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    // The list is a summary: no answers, no questions; the read is audited against the child.
    const listed = await parentCall(t, ps, 'GET', `${base}/admissions`);
    const [summary] = listed.json<{ items: Record<string, unknown>[] }>().items;
    expect(Object.keys(summary!).sort()).toEqual([
      'id',
      'savedAt',
      'sentAt',
      'status',
      'submittedAt',
      'title',
    ]);
    expect(summary).toMatchObject({ id: u.requestId, status: 'in_progress' });
    expect(listed.body).not.toContain('WIRI');
    const back = await parentCall(t, ps, 'GET', url);
    expect(back.json<{ answers: object; status: string }>()).toMatchObject({
      answers: { ethnicity: 'WIRI' },
      status: 'in_progress',
    });
    const sent = await parentCall(t, ps, 'PUT', url, {
      answers: { ethnicity: 'WIRI', first_language: 'ENG' },
      submit: true,
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const twice = await parentCall(t, ps, 'PUT', url, {
      answers: { ethnicity: 'WIRI', first_language: 'ENG' },
      submit: true,
    });
    expect(twice.statusCode).toBe(409);
    // Their own child in the path, another family's form id: 404, nothing shown, audited.
    const stranger = await parentCall(t, ps, 'GET', `${base}/admissions/${u.otherRequestId}`);
    expect(stranger.statusCode).toBe(404);
    const trail = await auditRows(t, u.schoolId);
    expect(
      trail.filter((r) => r.action === 'admissions.parent_listed').map((r) => r.target_id),
    ).toEqual([u.family.pupilId, u.family.pupilId]);
    expect(
      trail
        .filter((r) => r.action === 'admissions.refused')
        .map((r) => [r.target_id, r.details.code]),
    ).toEqual(
      expect.arrayContaining([
        [u.requestId, 'unknown_code'],
        [u.requestId, 'already_submitted'],
        [u.otherRequestId, 'not_found'],
      ]),
    );

    const consent = await call(t.app, u.s, 'POST', '/api/consents/forms', {
      title: 'Local trips',
      text: 'Walks to the park.',
      pupilIds: [u.family.pupilId],
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const mine = await parentCall(t, ps, 'GET', `${base}/consents`);
    const [item] = mine.json<{ items: { versionId: string; myAnswer: string | null }[] }>().items;
    expect(item!.myAnswer).toBeNull();
    const answered = await parentCall(t, ps, 'POST', `${base}/consents`, {
      versionId: item!.versionId,
      answer: 'given',
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json<{ items: { myAnswer: string }[] }>().items[0]!.myAnswer).toBe('given');
  });
});
