// Consent forms on both engines (issue 21): versions with their text's SHA-256; a new version
// asks again and never overwrites answers to the last; each parent with parental responsibility
// answers separately and a disagreement is flagged; withdrawal is a new event; answering a
// superseded or withdrawn version, or for another family's child, is refused and audited;
// reminders until answered on the injected clock, the email saying only that there is something
// to look at; currentConsents for trip cards.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  call,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { inSchool, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { makeParent } from '../parents/parent-test-kit.ts';
import { DomainError } from '../../core/errors.ts';
import { auditRows, drainWork, errorOf } from '../identity/identity-test-kit.ts';
import type { ConsentFormDetail, ConsentFormList } from '../../shared/consents.ts';
import { asParent, makeFamily } from '../admissions/forms-test-kit.ts';
import { answerConsent, consentsForParent } from './answers.ts';
import { auditingConsentRefusals } from './refusals.ts';
import { currentConsents } from './state.ts';
import { runConsentReminders } from '../../jobs/consent-reminders.ts';
import type { OutgoingMail } from '../../platform/mail/mailer.ts';

let t: TestApp;
const sentMail: OutgoingMail[] = [];
const clock = testClock(new Date('2026-09-07T09:00:00Z'));
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = {
    send: (mail) => {
      sentMail.push(mail);
      return Promise.resolve();
    },
  };
});
afterAll(async () => t.close());

const V1 = 'We would like to put photographs of your child on the school website.';
const V2 = 'We would like to put photographs of your child on the school website and social media.';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function setUp() {
  const schoolId = await makeSchool(t.services);
  const s = await signIn(t.app, await makeUser(t.services, schoolId, 'headteacher'), {
    elevated: true,
  });
  const family = await makeFamily(t.services, schoolId);
  const other = await makeFamily(t.services, schoolId, { firstName: 'Otto' });
  const made = await call(t.app, s, 'POST', '/api/consents/forms', {
    title: 'Photographs on the school website',
    text: V1,
    pupilIds: [family.pupilId, other.pupilId],
  });
  expect(made.statusCode, made.body).toBe(201);
  const formId = made.json<{ id: string }>().id;
  const detail = async () => {
    const res = await call(t.app, s, 'GET', `/api/consents/forms/${formId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ConsentFormDetail>();
  };
  const run = asParent(t.services, schoolId);
  const answer = (
    contactId: string,
    versionId: string,
    a: 'given' | 'refused' | 'withdrawn',
    pupilId = family.pupilId,
  ) =>
    auditingConsentRefusals(run, 'answer', formId, () =>
      run((tx) =>
        answerConsent(tx, [family.pupilId], contactId, { versionId, pupilId, answer: a }),
      ),
    );
  return { schoolId, s, family, other, formId, detail, answer, run };
}
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('consent forms', () => {
  it('keeps answers to version 1 after version 2, asks again, and refuses an answer to the old one', async () => {
    const u = await setUp();
    const d1 = await u.detail();
    expect(d1.versions).toHaveLength(1);
    expect(d1.versions[0]).toMatchObject({
      version: 1,
      sha256: sha(V1),
      text: V1,
      supersededAt: null,
    });
    const v1 = d1.versions[0]!.id;
    await u.answer(u.family.mum, v1, 'given');
    await u.answer(u.family.dad, v1, 'given');
    expect((await u.detail()).pupils.find((p) => p.pupilId === u.family.pupilId)!.state).toBe(
      'given',
    );

    clock.advance(60_000);
    const v2res = await call(t.app, u.s, 'POST', `/api/consents/forms/${u.formId}/versions`, {
      text: V2,
    });
    expect(v2res.statusCode, v2res.body).toBe(201);
    const d2 = await u.detail();
    expect(d2.versions.map((v) => [v.version, v.sha256, v.supersededAt !== null])).toEqual([
      [1, sha(V1), true],
      [2, sha(V2), false],
    ]);
    const row = d2.pupils.find((p) => p.pupilId === u.family.pupilId)!;
    // Asked again: version 2 is unanswered, while both answers to version 1 are still there.
    expect(row.state).toBe('unanswered');
    expect(row.answers.map((a) => [a.version, a.answer])).toEqual([
      [1, 'given'],
      [1, 'given'],
    ]);
    const late = await refusal(u.answer(u.family.mum, v1, 'refused'));
    expect(late.code).toBe('version_superseded');
    expect(late.kind).toBe('conflict');
    const [count] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM consent_answers WHERE version_id = $1',
        [v1],
      ),
    );
    expect(count!.n).toBe(2);
    // The parent sees version 2 to answer, with their answer to version 1 kept.
    const mine = await u.run((tx) => consentsForParent(tx, [u.family.pupilId], u.family.mum));
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({
      version: 2,
      myAnswer: null,
      earlier: [{ version: 1, answer: 'given' }],
    });
    const refused = (await auditRows(t, u.schoolId)).filter((r) => r.action === 'consents.refused');
    expect(refused.map((r) => r.details)).toEqual([
      { attempt: 'answer', code: 'version_superseded' },
    ]);
  });

  it('flags a disagreement between parents; a withdrawal is a new event from then on', async () => {
    const u = await setUp();
    const v1 = (await u.detail()).versions[0]!.id;
    await u.answer(u.family.mum, v1, 'given');
    await u.answer(u.family.dad, v1, 'refused');
    const d = await u.detail();
    expect(d.pupils.find((p) => p.pupilId === u.family.pupilId)!.state).toBe('disagreement');
    expect(d.form.disagreements).toBe(1);
    const list = (await call(t.app, u.s, 'GET', '/api/consents/forms')).json<ConsentFormList>();
    expect(list.items.find((f) => f.id === u.formId)!.disagreements).toBe(1);

    // Dad changes his mind, then mum withdraws: every answer stays, the latest of each counts.
    clock.advance(60_000);
    await u.answer(u.family.dad, v1, 'given');
    let cur = await u.run((tx) => currentConsents(tx, [u.family.pupilId, u.other.pupilId]));
    expect(cur.find((c) => c.pupilId === u.family.pupilId)).toMatchObject({
      state: 'given',
      version: 1,
      sha256: sha(V1),
    });
    expect(cur.find((c) => c.pupilId === u.other.pupilId)).toMatchObject({ state: 'unanswered' });
    clock.advance(60_000);
    await u.answer(u.family.mum, v1, 'withdrawn');
    cur = await u.run((tx) => currentConsents(tx, [u.family.pupilId]));
    expect(cur[0]!.state).toBe('disagreement');
    const answers = (await u.detail()).pupils.find((p) => p.pupilId === u.family.pupilId)!.answers;
    expect(answers.map((a) => a.answer)).toEqual(['given', 'refused', 'given', 'withdrawn']);
    // Nothing to withdraw twice.
    expect((await refusal(u.answer(u.family.mum, v1, 'withdrawn'))).code).toBe(
      'nothing_to_withdraw',
    );
  });

  it("refuses an answer to a withdrawn form, and for another family's child", async () => {
    const u = await setUp();
    const v1 = (await u.detail()).versions[0]!.id;
    const other = await refusal(u.answer(u.family.mum, v1, 'given', u.other.pupilId));
    expect(other.kind).toBe('not_found');
    // Another family's parent, naming this child.
    const stranger = await refusal(
      auditingConsentRefusals(u.run, 'answer', u.formId, () =>
        u.run((tx) =>
          answerConsent(tx, [u.family.pupilId], u.other.mum, {
            versionId: v1,
            pupilId: u.family.pupilId,
            answer: 'given',
          }),
        ),
      ),
    );
    expect(stranger.kind).toBe('not_found');
    const w = await call(t.app, u.s, 'POST', `/api/consents/forms/${u.formId}/withdraw`);
    expect(w.statusCode, w.body).toBe(204);
    const late = await refusal(u.answer(u.family.mum, v1, 'given'));
    expect(late.code).toBe('version_withdrawn');
    const again = await call(t.app, u.s, 'POST', `/api/consents/forms/${u.formId}/versions`, {
      text: V2,
    });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('form_withdrawn');
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM consent_answers WHERE version_id = $1',
        [v1],
      ),
    );
    expect(n!.n).toBe(0);
    const codes = (await auditRows(t, u.schoolId))
      .filter((r) => r.action === 'consents.refused')
      .map((r) => r.details.code);
    expect(codes).toEqual(['not_found', 'not_found', 'version_withdrawn', 'form_withdrawn']);
    expect((await u.run((tx) => currentConsents(tx, [u.family.pupilId])))[0]!.state).toBe(
      'withdrawn_form',
    );
  });

  it('reminds only parents the door lets in, once an address a run, weekly, until they answer; the email names no one', async () => {
    const u = await setUp();
    const v1 = (await u.detail()).versions[0]!.id;
    // A second form for Nia: her parent is still sent one email a run, not one per form.
    const second = await call(t.app, u.s, 'POST', '/api/consents/forms', {
      title: 'Swimming lessons',
      text: 'Weekly swimming at the leisure centre.',
      pupilIds: [u.family.pupilId],
    });
    expect(second.statusCode, second.body).toBe(201);
    // The family's MIS contacts (mum, dad) never signed up: no account, no reminder.
    const ann = await makeParent(t, u.schoolId, [u.family.pupilId, u.other.pupilId]);
    const restricted = await makeParent(t, u.schoolId, [u.family.pupilId]);
    const left = await makePupil(t.services, u.schoolId, { firstName: 'Lea' });
    const leftParent = await makeParent(t, u.schoolId, [left.id]);
    const third = await call(t.app, u.s, 'POST', '/api/consents/forms', {
      title: 'Trips',
      text: 'Trips out of school.',
      pupilIds: [left.id],
    });
    expect(third.statusCode, third.body).toBe(201);
    await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(
        `INSERT INTO contact_restrictions (school_id, pupil_id, contact_id, kind, court_order)
         VALUES ($1, $2, $3, 'no_contact', true)`,
        [u.schoolId, u.family.pupilId, restricted.contactId],
      );
      await q.query('UPDATE pupils SET archived_at = now() WHERE id = $1', [left.id]);
    });
    const addresses = [ann, restricted, leftParent].map((p) => p.email);
    const ours = [u.family.mum, u.family.dad, u.other.mum, u.other.dad].map((id) => id.slice(0, 6));
    const mails = async () => {
      await drainWork(t);
      return sentMail.filter(
        (m) => ours.some((p) => m.to.includes(p)) || addresses.some((a) => m.to.includes(a)),
      );
    };
    const run = () => runConsentReminders(t.services, clock.now(), [u.schoolId]);
    expect(await run()).toBe(0); // not yet three days
    clock.advance(3 * 86_400_000);
    expect(await run()).toBe(1); // Ann alone, once for three questions waiting
    expect(await run()).toBe(0); // the same day: nothing twice
    const first = await mails();
    expect(first.map((m) => m.to)).toEqual([ann.email]);
    await u.answer(ann.contactId, v1, 'given', u.family.pupilId);
    clock.advance(7 * 86_400_000);
    expect(await run()).toBe(1); // Otto's photographs and Nia's swimming still wait
    const sent = await mails();
    expect(sent.map((m) => m.to)).toEqual([ann.email, ann.email]);
    for (const m of sent) {
      expect(m.text).toContain('/parent/consents');
      expect(`${m.subject} ${m.text}`).not.toMatch(/Photographs|Nia|Otto|Lea|website|Swimming/);
    }
    const reminded = (await auditRows(t, u.schoolId)).filter(
      (r) => r.action === 'consents.reminded',
    );
    expect(reminded).toHaveLength(5);
    expect(JSON.stringify(reminded)).not.toMatch(/Photographs|Nia|Otto/);
  });

  it.skipIf(inject('engine') !== 'postgres')(
    'an answer racing a new version waits for it, then is refused (version row held)',
    async () => {
      const u = await setUp();
      const v1 = (await u.detail()).versions[0]!.id;
      let done = false;
      const racing = await unsafeAsOwner(t.services.db, async (q) => {
        await q.query('UPDATE consent_versions SET superseded_at = now() WHERE id = $1', [v1]);
        const answer = refusal(u.answer(u.family.mum, v1, 'given')).finally(() => {
          done = true;
        });
        await new Promise((r) => setTimeout(r, 400));
        expect(done).toBe(false);
        return { answer };
      });
      expect((await racing.answer).code).toBe('version_superseded');
    },
  );

  it('refuses an impossible date with a 400 naming the field', async () => {
    const u = await setUp();
    const res = await call(t.app, u.s, 'POST', '/api/consents/forms', {
      title: 'Trips',
      text: 'Trips out of school.',
      pupilIds: [u.family.pupilId],
      validFrom: '2026-13-45',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorOf(res).message).toMatch(/validFrom/);
  });

  it('the app role cannot rewrite a version of a consent form', async () => {
    const u = await setUp();
    const asApp = (sql: string) => inSchool(t.services.db, u.schoolId, (tx) => tx.query(sql));
    await expect(asApp(`UPDATE consent_versions SET body = 'We may do anything.'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE consent_versions SET body_sha256 = body_sha256`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp(`UPDATE consent_forms SET title = 'x'`)).rejects.toThrow(
      /permission denied/,
    );
    expect((await u.detail()).versions[0]).toMatchObject({ sha256: sha(V1) });
  });

  it('keeps staff without the parents capability out', async () => {
    const u = await setUp();
    const ts = await signIn(t.app, await makeUser(t.services, u.schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, ts, 'GET', '/api/consents/forms')).statusCode).toBe(403);
    expect((await call(t.app, ts, 'GET', `/api/consents/forms/${u.formId}`)).statusCode).toBe(403);
    const otherSchool = await makeSchool(t.services);
    const head = await signIn(t.app, await makeUser(t.services, otherSchool, 'headteacher'), {
      elevated: true,
    });
    expect((await call(t.app, head, 'GET', `/api/consents/forms/${u.formId}`)).statusCode).toBe(
      404,
    );
  });
});
