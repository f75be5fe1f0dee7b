// Child-protection file transfers on the same Lantern (issue 18): a pupil leaves with a
// destination, the sending DSL sends the whole file (an item left out only with a reason), the
// receiving school's DSL team opens it (the sender sees "viewed"), confirms receipt by name and
// role (refused before opening), and reads it under the pupil's "Previous school", matched by
// UPN. Before acceptance the receiver's other staff and the pupil's record show nothing; a third
// school sees nothing at any point. Unknown destinations, revoking, the MIS leaver trigger.
import { randomInt } from 'node:crypto';
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
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';
import { unsafeReportToSender } from './unsafe-cross-school.ts';
import type {
  PreviousSchool,
  ReceivedFile,
  TransferFilePreview,
  TransfersView,
} from '../../shared/schemas/transfers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));

/** A school on this Lantern with a URN of its own in the directory, and its DSL signed in. */
async function school(name: string) {
  const schoolId = await makeSchool(t.services);
  const urn = randomInt(100_000, 999_999_999);
  await owner(
    `INSERT INTO establishments (urn, name, la_name, postcode, status, website_host, loaded_at)
     VALUES ($1, $2, 'Testshire', 'AB1 2CD', 'Open', 'example.sch.uk', now())`,
    [urn, `${name} ${urn}`],
  );
  await owner('UPDATE schools SET urn = $2 WHERE id = $1', [schoolId, urn]);
  const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), { elevated: true });
  return { schoolId, urn, dsl };
}

async function pupilWithRecord(schoolId: string, dsl: Session, upn: string, body: string) {
  const pupil = await makePupil(t.services, schoolId);
  await owner('UPDATE pupils SET upn = $2 WHERE id = $1', [pupil.id, upn]);
  const [category] = await categoryIds(t.services, schoolId);
  const logged = await call(t.app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body,
  });
  expect(logged.statusCode, logged.body).toBe(201);
  return pupil;
}

const view = async (s: Session) =>
  (await call(t.app, s, 'GET', '/api/transfers')).json<TransfersView>();
const actions = async (schoolId: string) =>
  (await auditRows(t, schoolId)).map((r) => r.action).filter((a) => a.startsWith('transfer.'));

describe('a transfer to a school on the same Lantern', () => {
  it('is sent whole, opened, receipted by name and role, and read under Previous school', async () => {
    const from = await school('Sending Primary');
    const to = await school('Receiving Academy');
    const third = await school('Third School');
    const upn = `A${randomInt(1e11, 1e12 - 1)}`;
    const pupil = await pupilWithRecord(from.schoolId, from.dsl, upn, 'Bruise on the left arm.');
    const arriving = await makePupil(t.services, to.schoolId);
    await owner('UPDATE pupils SET upn = $2 WHERE id = $1', [arriving.id, upn]);

    const opened = await call(t.app, from.dsl, 'POST', '/api/transfers', {
      pupilId: pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: to.urn,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = opened.json<{ id: string }>().id;
    const out = (await view(from.dsl)).out[0]!;
    expect(out).toMatchObject({ state: 'draft', allowed: ['send', 'set_destination', 'close'] });
    expect(out.clock.rule).toBe('school_days');
    expect(out.clock.explanation).toMatch(/^5 school days/);

    const preview = (
      await call(t.app, from.dsl, 'GET', `/api/transfers/${id}`)
    ).json<TransferFilePreview>();
    const concernItem = preview.items.find((i) => i.kind === 'concern')!;
    expect(concernItem.text).toBe('Bruise on the left arm.');

    // Nothing before sending; a withheld item needs its reason, and a refusal changes nothing.
    expect((await view(to.dsl)).in).toEqual([]);
    const noReason = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, {
      withhold: [{ itemId: concernItem.id, reason: '   ' }],
    });
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).message).toMatch(/only with a reason/);
    expect((await view(from.dsl)).out[0]!.state).toBe('draft');

    const sent = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, { withhold: [] });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({
      state: 'sent',
      manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });

    // The receiving DSL team is alerted on the dashboard (the alert names no child).
    const alerts = await call(t.app, to.dsl, 'GET', '/api/alerts');
    expect(alerts.statusCode, alerts.body).toBe(200);
    expect(
      alerts
        .json<{ items: { kind: string; targetType: string; targetId: string }[] }>()
        .items.filter((a) => a.kind === 'transfer_received'),
    ).toEqual([expect.objectContaining({ targetType: 'transfer_inbox', targetId: id })]);
    expect(alerts.body).not.toContain('Bruise');
    const fromAlerts = await call(t.app, from.dsl, 'GET', '/api/alerts');
    expect(fromAlerts.body).not.toContain('transfer_received');

    // The receiver: in the DSL team's inbox only; not on the pupil's record; not for a teacher.
    const inbox = (await view(to.dsl)).in;
    expect(inbox).toMatchObject([{ id, state: 'sent', pupilMatched: true, allowed: ['open'] }]);
    const teacher = await signIn(t.app, await makeUser(t.services, to.schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, teacher, 'GET', '/api/transfers')).statusCode).toBe(403);
    expect((await call(t.app, teacher, 'GET', `/api/transfers/inbox/${id}`)).statusCode).toBe(403);
    const before = await call(t.app, to.dsl, 'GET', `/api/pupils/${arriving.id}/previous-school`);
    expect(before.json<PreviousSchool>().files).toEqual([]);
    const early = await call(t.app, to.dsl, 'POST', `/api/transfers/inbox/${id}/accept`, {
      name: 'Rae Receiver',
      role: 'DSL',
    });
    expect(early.statusCode).toBe(400);
    expect(errorOf(early).message).toMatch(/Open and read the file/);

    // A third school sees nothing, before or after.
    expect((await view(third.dsl)).in).toEqual([]);
    const thirdOpen = await call(t.app, third.dsl, 'GET', `/api/transfers/inbox/${id}`);
    expect(thirdOpen.statusCode).toBe(404);
    expect(thirdOpen.body).not.toContain('Bruise');

    const file = await call(t.app, to.dsl, 'GET', `/api/transfers/inbox/${id}`);
    expect(file.statusCode, file.body).toBe(200);
    const received = file.json<ReceivedFile>();
    expect(received.items.find((i) => i.kind === 'concern')!.text).toBe('Bruise on the left arm.');
    expect(received.manifest.length).toBe(received.items.length);
    expect(received.fromSchool).toMatch(/^Test School/);
    expect((await view(from.dsl)).out[0]!.state).toBe('viewed');

    // No receipt certificate before the receiver has signed for the file.
    const noReceipt = await call(t.app, from.dsl, 'GET', `/api/transfers/${id}/receipt.pdf`);
    expect([noReceipt.statusCode, errorOf(noReceipt).code]).toEqual([409, 'no_receipt']);
    const accepted = await call(t.app, to.dsl, 'POST', `/api/transfers/inbox/${id}/accept`, {
      name: 'Rae Receiver',
      role: 'Designated safeguarding lead',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const outgoing = (await view(from.dsl)).out[0]!;
    expect(outgoing).toMatchObject({
      state: 'accepted',
      receipt: { name: 'Rae Receiver', role: 'Designated safeguarding lead' },
      allowed: [],
      // The sender keeps a sealed copy by default (the retention schedule; keep.ts, link.test.ts).
      kept: { mode: 'sealed_copy' },
    });
    // The sender's receipt certificate: who signed for it, when, and the manifest's hash.
    const certificate = await call(t.app, from.dsl, 'GET', `/api/transfers/${id}/receipt.pdf`);
    expect(certificate.statusCode, certificate.body).toBe(200);
    expect(certificate.headers['content-type']).toBe('application/pdf');
    const { text } = await extractText(new Uint8Array(certificate.rawPayload), {
      mergePages: true,
    });
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Receipt for a child-protection file');
    expect(flat).toContain('Received by Rae Receiver, Designated safeguarding lead');
    expect(flat).toContain(`SHA-256 of the manifest as sent: ${outgoing.manifestSha256}`);
    expect(flat).toMatch(/Items sent: \d+; items withheld with a reason: 0/);
    expect(flat).not.toContain('Bruise');
    expect((await call(t.app, to.dsl, 'GET', `/api/transfers/${id}/receipt.pdf`)).statusCode).toBe(
      404,
    );
    const section = await call(t.app, to.dsl, 'GET', `/api/pupils/${arriving.id}/previous-school`);
    expect(section.json<PreviousSchool>().files).toMatchObject([
      {
        id,
        receipt: { name: 'Rae Receiver' },
        items: expect.arrayContaining([
          expect.objectContaining({ text: 'Bruise on the left arm.' }),
        ]) as unknown,
      },
    ]);
    expect(
      (await call(t.app, third.dsl, 'GET', `/api/pupils/${arriving.id}/previous-school`))
        .statusCode,
    ).toBe(404);

    expect(await actions(from.schoolId)).toEqual([
      'transfer.opened',
      'transfer.file_previewed',
      'transfer.sent',
      'transfer.viewed',
      'transfer.accepted',
      'transfer.kept',
      'transfer.receipt_printed',
    ]);
    expect(await actions(to.schoolId)).toEqual([
      'transfer.received',
      'transfer.previous_school_viewed',
      'transfer.file_opened',
      'transfer.receipt_given',
      'transfer.previous_school_viewed',
    ]);
    expect(await actions(third.schoolId)).toEqual([]);
    // Sealed at rest in both schools.
    const [row] = await owner<{ file: Buffer }>('SELECT file FROM transfer_inbox WHERE id = $1', [
      id,
    ]);
    expect(row!.file.toString('latin1')).not.toContain('Bruise');
  });

  it('sent again after the receiver accepted (its answer lost) shows accepted, never failed', async () => {
    const from = await school('Racing Sender');
    const to = await school('Racing Receiver');
    const pupil = await pupilWithRecord(
      from.schoolId,
      from.dsl,
      `R${randomInt(1e11, 1e12 - 1)}`,
      'Raced text.',
    );
    const id = (
      await call(t.app, from.dsl, 'POST', '/api/transfers', {
        pupilId: pupil.id,
        leavingOn: '2026-03-11',
        destinationUrn: to.urn,
      })
    ).json<{ id: string }>().id;
    const sent = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, { withhold: [] });
    expect(sent.statusCode, sent.body).toBe(200);
    await call(t.app, to.dsl, 'GET', `/api/transfers/inbox/${id}`);
    const accepted = await call(t.app, to.dsl, 'POST', `/api/transfers/inbox/${id}/accept`, {
      name: 'Ada Accepter',
      role: 'DSL',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    // The receiver's answer never reached the sender (the race): the sender still shows viewed.
    await owner(
      `UPDATE transfers SET state = 'viewed', accepted_at = NULL, receipt = NULL WHERE id = $1`,
      [id],
    );
    const again = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send-again`, {
      withhold: [],
    });
    expect(again.statusCode, again.body).toBe(409);
    expect(errorOf(again).message).toMatch(/already accepted/);
    expect((await view(from.dsl)).out[0]).toMatchObject({
      state: 'accepted',
      receipt: { name: 'Ada Accepter', role: 'DSL' },
    });
    expect(await actions(from.schoolId)).not.toContain('transfer.failed');
    // Only the school the file went to may report on it: a third school's word changes nothing.
    const third = await school('Interloper');
    await owner(`UPDATE transfers SET state = 'viewed' WHERE id = $1`, [id]);
    await unsafeReportToSender(t.services, from.schoolId, third.schoolId, id, {
      state: 'rejected',
      reason: 'Not ours',
    });
    expect((await view(from.dsl)).out[0]!.state).toBe('viewed');
    await owner(`UPDATE transfers SET state = 'accepted' WHERE id = $1`, [id]);
    // The receiver's accepted copy is untouched.
    expect((await view(to.dsl)).in).toMatchObject([{ id, state: 'accepted' }]);
  });

  it('withholds an item only with its reason, and the receiver sees the reason', async () => {
    const from = await school('Sender');
    const to = await school('Receiver');
    const pupil = await pupilWithRecord(
      from.schoolId,
      from.dsl,
      `B${randomInt(1e11, 1e12 - 1)}`,
      'Held back text.',
    );
    const id = (
      await call(t.app, from.dsl, 'POST', '/api/transfers', {
        pupilId: pupil.id,
        leavingOn: '2026-03-11',
        destinationUrn: to.urn,
      })
    ).json<{ id: string }>().id;
    const preview = (
      await call(t.app, from.dsl, 'GET', `/api/transfers/${id}`)
    ).json<TransferFilePreview>();
    const item = preview.items.find((i) => i.kind === 'concern')!;
    const sent = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, {
      withhold: [{ itemId: item.id, reason: 'Police asked us not to share yet.' }],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const received = (
      await call(t.app, to.dsl, 'GET', `/api/transfers/inbox/${id}`)
    ).json<ReceivedFile>();
    expect(received.withheld).toEqual([
      { itemId: item.id, reason: 'Police asked us not to share yet.' },
    ]);
    expect(JSON.stringify(received.items)).not.toContain('Held back text.');
  });

  it('keeps an unknown destination with its tasks, restarts the clock when set, and can be revoked', async () => {
    const from = await school('Sender');
    const to = await school('Receiver');
    const pupil = await pupilWithRecord(
      from.schoolId,
      from.dsl,
      `C${randomInt(1e11, 1e12 - 1)}`,
      'Text.',
    );
    const id = (
      await call(t.app, from.dsl, 'POST', '/api/transfers', {
        pupilId: pupil.id,
        leavingOn: '2026-03-11',
        destinationUrn: null,
      })
    ).json<{ id: string }>().id;
    const unknown = (await view(from.dsl)).out[0]!;
    expect(unknown).toMatchObject({
      destination: null,
      allowed: ['set_destination', 'close'],
      clock: { dueOn: null },
    });
    expect(unknown.tasks[0]).toMatch(/local authority/);
    expect(
      (await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, { withhold: [] }))
        .statusCode,
    ).toBe(400);

    const set = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/destination`, {
      destinationUrn: to.urn,
    });
    expect(set.statusCode, set.body).toBe(200);
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    expect(set.json()).toMatchObject({
      tasks: [],
      clock: { startsOn: today > '2026-03-11' ? today : '2026-03-11' },
    });

    expect(
      (await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/send`, { withhold: [] }))
        .statusCode,
    ).toBe(200);
    const dpo = await makeUser(t.services, from.schoolId, 'dpo');
    const revoked = await call(t.app, from.dsl, 'POST', `/api/transfers/${id}/revoke`);
    expect(revoked.json()).toMatchObject({ state: 'revoked' });
    expect((await view(to.dsl)).in[0]).toMatchObject({ state: 'revoked', allowed: [] });
    expect((await call(t.app, to.dsl, 'GET', `/api/transfers/inbox/${id}`)).statusCode).toBe(404);
    // Taken back: it may have gone to the wrong school, so a draft breach asks the register's
    // holders to decide (once for this transfer), in the sender's register only.
    const breaches = await owner<{
      id: string;
      school_id: string;
      types: string[];
      status: string;
    }>(
      `SELECT id, school_id, types, status FROM dp_breaches
       WHERE source = 'transfer_revoked' AND signal_key = $1`,
      [`transfer_revoked:${id}`],
    );
    expect(breaches).toEqual([
      {
        id: breaches[0]!.id,
        school_id: from.schoolId,
        types: ['confidentiality'],
        status: 'draft',
      },
    ]);
    const alerted = await owner<{ recipient_id: string }>(
      `SELECT recipient_id FROM alerts WHERE kind = 'dp_breach_drafted' AND target_id = $1`,
      [breaches[0]!.id],
    );
    expect(alerted.map((a) => a.recipient_id)).toContain(dpo.id);
    expect(await actions(from.schoolId)).toContain('transfer.revoked');
    expect((await auditRows(t, from.schoolId)).map((r) => r.action)).toContain('dp.breach_drafted');
  });

  it('refuses a pupil with no safeguarding record, and a second live transfer', async () => {
    const from = await school('Sender');
    const clean = await makePupil(t.services, from.schoolId);
    const none = await call(t.app, from.dsl, 'POST', '/api/transfers', {
      pupilId: clean.id,
      leavingOn: '2026-03-11',
      destinationUrn: null,
    });
    expect(none.statusCode).toBe(400);
    const pupil = await pupilWithRecord(
      from.schoolId,
      from.dsl,
      `D${randomInt(1e11, 1e12 - 1)}`,
      'Text.',
    );
    const body = { pupilId: pupil.id, leavingOn: '2026-03-11', destinationUrn: null };
    expect((await call(t.app, from.dsl, 'POST', '/api/transfers', body)).statusCode).toBe(201);
    expect((await call(t.app, from.dsl, 'POST', '/api/transfers', body)).statusCode).toBe(409);
  });

  it('counts calendar days when the school chooses, and says so', async () => {
    const from = await school('Sender');
    const to = await school('Receiver');
    const set = await call(t.app, from.dsl, 'PUT', '/api/transfers/settings', {
      clockRule: 'calendar_days',
    });
    expect(set.statusCode, set.body).toBe(200);
    const pupil = await pupilWithRecord(
      from.schoolId,
      from.dsl,
      `E${randomInt(1e11, 1e12 - 1)}`,
      'Text.',
    );
    await call(t.app, from.dsl, 'POST', '/api/transfers', {
      pupilId: pupil.id,
      leavingOn: '2026-03-11',
      destinationUrn: to.urn,
    });
    // Opened today: the clock starts at the later of leaving and today.
    const clock = (await view(from.dsl)).out[0]!.clock;
    expect(clock.rule).toBe('calendar_days');
    expect(clock.explanation).toMatch(/^5 calendar days/);
  });
});
