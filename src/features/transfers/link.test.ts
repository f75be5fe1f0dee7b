// A child-protection file sent to a school on no Lantern (issue 18): a single-recipient link to
// the DSL's address at the school's domain, emailed (to the local SMTP server); opened only with a
// one-time code sent separately (wrong codes refused, counted and throttled); a PDF and the
// manifest downloaded (each audited); receipt confirmed by name and role on the page (refused
// before opening); the sender sees "accepted" and prints the receipt certificate. Refused: an
// address outside the school's domain, an expired or revoked link — each audited, nothing changed.
import { createHash, randomInt } from 'node:crypto';
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
import { PLATFORM_SCHOOL_ID, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  auditRows,
  drainWork,
  errorOf,
  startMailTrap,
  type MailTrap,
} from '../identity/identity-test-kit.ts';
import type {
  KeptCopy,
  LinkView,
  TransferFilePreview,
  TransferOut,
  TransfersView,
} from '../../shared/schemas/transfers.ts';
import { sha256 } from './file.ts';
import { runKeptCopyExpiry } from '../../jobs/transfer-kept-expiry.ts';

let t: TestApp;
let mail: MailTrap;
beforeAll(async () => {
  mail = await startMailTrap();
  t = await testApp({ config: { logLevel: 'error', smtpUrl: mail.url } });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

const owner = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (q) => q.query<T>(sql, params));
const actions = async (schoolId: string) =>
  (await auditRows(t, schoolId)).filter((r) => r.action.startsWith('transfer.'));

/**
 * A sending school with a pupil who has a record, leaving for a school on no Lantern whose email
 * domain the DSL confirmed (the directory's website host is never taken for it), unless `confirm`
 * is false.
 */
async function leaving(body = 'Disclosed that her uncle hits her.', confirm = true) {
  const schoolId = await makeSchool(t.services);
  const dsl = await signIn(t.app, await makeUser(t.services, schoolId, 'dsl'), { elevated: true });
  const urn = randomInt(100_000, 999_999_999);
  await owner(
    `INSERT INTO establishments (urn, name, la_name, status, website_host, loaded_at)
     VALUES ($1, $2, 'Testshire', 'Open', 'hilltop.sch.uk', now())`,
    [urn, `Hilltop Academy ${urn}`],
  );
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Zara', lastName: 'Quill' });
  const [category] = await categoryIds(t.services, schoolId);
  const logged = await call(t.app, dsl, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body,
  });
  expect(logged.statusCode, logged.body).toBe(201);
  const opened = await call(t.app, dsl, 'POST', '/api/transfers', {
    pupilId: pupil.id,
    leavingOn: '2026-03-11',
    destinationUrn: urn,
  });
  expect(opened.statusCode, opened.body).toBe(201);
  if (confirm) {
    const domain = await call(t.app, dsl, 'POST', `/api/transfers/directory/${urn}/domain`, {
      domain: 'hilltop.sch.uk',
    });
    expect(domain.statusCode, domain.body).toBe(200);
  }
  return { schoolId, dsl, urn, pupil, id: opened.json<{ id: string }>().id };
}

/** Sends the file as a link; answers the token from the email. */
async function sendLink(dsl: Session, id: string, to: string) {
  const before = mail.messages.length;
  const sent = await call(t.app, dsl, 'POST', `/api/transfers/${id}/send`, {
    withhold: [],
    recipientEmail: to,
  });
  expect(sent.statusCode, sent.body).toBe(200);
  await drainWork(t);
  const text = await mail.to(to, before);
  const token = /\/transfer-link#([A-Za-z0-9_-]{43})/.exec(text)?.[1];
  expect(token).toBeDefined();
  return { out: sent.json<TransferOut>(), text, token: token! };
}

const pub = (url: string, payload: object, cookie?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/public/transfer-link/${url}`,
    payload,
    ...(cookie && { headers: { cookie } }),
  });
const get = (url: string, cookie?: string) =>
  t.app.inject({
    method: 'GET',
    url: `/api/public/transfer-link/${url}`,
    ...(cookie && { headers: { cookie } }),
  });

async function askCode(token: string, to: string): Promise<string> {
  const before = mail.messages.length;
  const sent = await pub('code', { token });
  expect(sent.statusCode, sent.body).toBe(200);
  await drainWork(t);
  const text = await mail.to(to, before);
  return /code is:\s+(\d{6})\s/.exec(text)![1]!;
}

describe('a transfer to a school on no Lantern, by a link', () => {
  it('is emailed, opened with its code, downloaded and receipted on the page', async () => {
    const s = await leaving();
    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;

    // Before sending: a draft to a school on no Lantern may be sent (the address is asked for).
    const draft = (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>();
    expect(draft.out[0]!.allowed).toContain('send');
    expect(draft.linkDays).toBe(14);

    // An address outside the school's domain is refused, audited, and nothing changes.
    const outside = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/send`, {
      withhold: [],
      recipientEmail: 'dsl@hilltop.sch.uk.evil.example',
    });
    expect(outside.statusCode).toBe(400);
    expect(errorOf(outside).message).toMatch(/not at Hilltop Academy.*under hilltop\.sch\.uk/);
    const none = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/send`, { withhold: [] });
    expect(none.statusCode).toBe(400);
    expect(errorOf(none).message).toMatch(/DSL email address/);
    expect(
      (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0],
    ).toMatchObject({
      state: 'draft',
      link: null,
    });
    expect(await owner('SELECT 1 FROM transfer_links WHERE school_id = $1', [s.schoolId])).toEqual(
      [],
    );
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_refused'),
    ).toMatchObject([
      { details: { reason: 'outside_domain', domain: 'hilltop.sch.uk.evil.example' } },
      { details: { reason: 'no_address' } },
    ]);

    // Sent: the email holds the link and the school's name, nothing of the child or the record.
    const { out, text, token } = await sendLink(s.dsl, s.id, to);
    expect(out).toMatchObject({
      state: 'sent',
      link: { email: to, state: 'live', openedAt: null },
    });
    expect(text).not.toMatch(/Zara|Quill|uncle/);
    expect(text).not.toMatch(/code is/);
    // The token is stored only as its hash.
    const [row] = await owner<{ token_hash: Buffer; email: Buffer }>(
      'SELECT token_hash, email FROM transfer_links WHERE transfer_id = $1',
      [s.id],
    );
    expect(row!.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(row!.email.toString('latin1')).not.toContain('hilltop');

    // The page's answers: locked, never cached or indexed, no Referer, a strict CSP.
    const locked = await pub('view', { token });
    expect(locked.statusCode, locked.body).toBe(200);
    expect(locked.json<LinkView>()).toMatchObject({ state: 'locked', file: null, receipt: null });
    expect(locked.json<LinkView>().codeTo).toMatch(/^d•••@hilltop\.sch\.uk$/);
    expect(locked.headers['cache-control']).toBe('no-store');
    expect(locked.headers['x-robots-tag']).toMatch(/noindex/);
    expect(locked.headers['referrer-policy']).toBe('no-referrer');
    expect(locked.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const page = await t.app.inject({ method: 'GET', url: '/transfer-link' });
    expect(page.headers['x-robots-tag']).toMatch(/noindex/);
    expect(page.headers['cache-control']).toBe('no-store');

    // A receipt or a download before the file is opened is refused, audited, changes nothing.
    const early = await pub('receipt', { token, name: 'Rita Receiver', role: 'DSL' });
    expect(early.statusCode).toBe(400);
    expect(errorOf(early).message).toMatch(/Open the file with the one-time code/);
    expect((await get('file.pdf')).statusCode).toBe(400);

    // A code, then a wrong one (refused and counted), then the right one.
    const code = await askCode(token, to);
    const again = await pub('code', { token });
    expect(again.statusCode).toBe(429);
    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await pub('open', { token, code: wrongCode });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).message).toMatch(/not right.*4 tries left/);
    const opened = await pub('open', { token, code });
    expect(opened.statusCode, opened.body).toBe(200);
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^lantern_transfer_view=/); // no __Secure- prefix over plain HTTP
    expect(String(opened.headers['set-cookie'])).toMatch(
      /HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/i,
    );
    const view = opened.json<LinkView>();
    expect(view.state).toBe('open');
    // A reload of the page with the view key shows the file again: audited each time.
    const viewedBefore = (await actions(s.schoolId)).filter(
      (a) => a.action === 'transfer.link_viewed',
    ).length;
    for (let i = 0; i < 2; i++) {
      const reload = await pub('view', { token }, cookie);
      expect(reload.statusCode, reload.body).toBe(200);
      expect(reload.json<LinkView>().file!.pupil.name).toBe('Zara Quill');
    }
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_viewed'),
    ).toHaveLength(viewedBefore + 2);
    // A reload (the page took the token out of the address): the view key alone shows the file.
    const reloaded = await pub('view', {}, cookie);
    expect(reloaded.statusCode, reloaded.body).toBe(200);
    expect(reloaded.json<LinkView>()).toMatchObject({ state: 'open', file: { pupil: {} } });
    // Without the token and the key, the page is told to open the link from the email again.
    const bare = await pub('view', {});
    expect(bare.statusCode).toBe(400);
    expect(errorOf(bare).message).toMatch(/open the link from the email again/);
    expect(
      errorOf(await pub('view', {}, 'lantern_transfer_view=' + 'y'.repeat(43))).message,
    ).toMatch(/open the link from the email again/);
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_viewed'),
    ).toHaveLength(viewedBefore + 3);
    // Without the key the page stays locked, and that is not a view of the file.
    expect((await pub('view', { token })).json<LinkView>().file).toBeNull();
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_viewed'),
    ).toHaveLength(viewedBefore + 3);
    expect(view.file!.pupil.name).toBe('Zara Quill');
    expect(view.file!.items.some((i) => i.kind === 'concern')).toBe(true);
    // The code was single-use.
    expect((await pub('open', { token, code })).statusCode).toBe(400);
    expect(
      (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0],
    ).toMatchObject({
      state: 'viewed',
      link: { openedAt: expect.any(String) as unknown },
    });

    // The PDF (the narrative with the record) and the manifest (each item's SHA-256).
    const pdf = await get('file.pdf', cookie);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { text: pages } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(pages).toMatch(/uncle hits her/);
    expect(pages).toMatch(/Manifest/);
    // Attachments do not travel yet: the PDF says so, never that it is the whole file.
    expect(pages).not.toMatch(/whole file/);
    expect(pages).toMatch(/Attachments \(documents, photos\) are not included in this transfer/);
    const manifest = await get('manifest.json', cookie);
    expect(manifest.statusCode).toBe(200);
    const m = manifest.json<{
      manifestSha256: string;
      items: { itemId: string; sha256: string }[];
    }>();
    expect(m.manifestSha256).toBe(out.manifestSha256);
    expect(sha256(m.items)).toBe(m.manifestSha256);

    // Receipt by name and role: the sender sees accepted and prints the certificate.
    const noName = await pub('receipt', { token, name: ' ', role: 'DSL' }, cookie);
    expect(noName.statusCode).toBe(400);
    // As the page sends it after a reload: no token, the view key decides.
    const receipted = await pub('receipt', { name: 'Rita Receiver', role: 'DSL' }, cookie);
    expect(receipted.statusCode, receipted.body).toBe(200);
    expect(receipted.json<LinkView>()).toMatchObject({
      state: 'accepted',
      file: null,
      receipt: { name: 'Rita Receiver', role: 'DSL' },
    });
    const after = (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0]!;
    expect(after).toMatchObject({
      state: 'accepted',
      receipt: { name: 'Rita Receiver', role: 'DSL' },
      link: { state: 'accepted' },
    });
    const certificate = await call(t.app, s.dsl, 'GET', `/api/transfers/${s.id}/receipt.pdf`);
    expect(certificate.statusCode).toBe(200);
    const { text: cert } = await extractText(new Uint8Array(certificate.rawPayload), {
      mergePages: true,
    });
    expect(cert).toMatch(/Rita Receiver/);
    // The link no longer opens the file.
    expect((await get('file.pdf', cookie)).statusCode).toBe(400);

    expect((await actions(s.schoolId)).map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'transfer.sent',
        'transfer.link_sent',
        'transfer.link_code_sent',
        'transfer.link_code_refused',
        'transfer.viewed',
        'transfer.link_opened',
        'transfer.link_downloaded',
        'transfer.link_receipt_given',
        'transfer.accepted',
      ]),
    );
    const downloads = (await actions(s.schoolId)).filter(
      (a) => a.action === 'transfer.link_downloaded',
    );
    expect(downloads.map((d) => (d.details as { what: string }).what)).toEqual(['pdf', 'manifest']);
    const refusals = (await actions(s.schoolId)).filter(
      (a) => a.action === 'transfer.link_refused',
    );
    expect(refusals.map((r) => (r.details as { reason: string }).reason)).toEqual(
      expect.arrayContaining(['not_opened', 'no_code']),
    );
  });

  it("never takes the school's website for its email domain: the DSL confirms it first", async () => {
    const s = await leaving('Website is not email.', false);
    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
    // The directory lists the website, and holds no email domain: none is shown as the domain.
    const dest = (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0]!
      .destination;
    expect(dest).toMatchObject({ domain: null, website: 'hilltop.sch.uk' });
    const found = await call(t.app, s.dsl, 'POST', '/api/transfers/directory/search', {
      query: String(s.urn),
    });
    expect(found.json<{ items: unknown[] }>().items).toMatchObject([
      { domain: null, domainConfirmed: false, website: 'hilltop.sch.uk' },
    ]);
    // An address at the website's host is refused until the domain is confirmed; audited, no link.
    const refused = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/send`, {
      withhold: [],
      recipientEmail: to,
    });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/No email domain is confirmed for Hilltop Academy/);
    expect(await owner('SELECT 1 FROM transfer_links WHERE school_id = $1', [s.schoolId])).toEqual(
      [],
    );
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_refused'),
    ).toMatchObject([{ details: { reason: 'no_domain', domain: 'hilltop.sch.uk' } }]);
    // Confirmed (audited), the same address is accepted.
    const confirmed = await call(t.app, s.dsl, 'POST', `/api/transfers/directory/${s.urn}/domain`, {
      domain: 'hilltop.sch.uk',
    });
    expect(confirmed.json()).toMatchObject({ domain: 'hilltop.sch.uk', domainConfirmed: true });
    const { out } = await sendLink(s.dsl, s.id, to);
    expect(out).toMatchObject({ state: 'sent', destination: { domain: 'hilltop.sch.uk' } });
    expect((await actions(s.schoolId)).map((a) => a.action)).toContain('transfer.domain_confirmed');
  });

  it('names the view cookie __Secure- over TLS, and clears it under that name', async () => {
    const plain = t;
    t = await testApp({ config: { logLevel: 'error', smtpUrl: mail.url, tls: true } });
    try {
      const s = await leaving('Over TLS.');
      const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
      const { token } = await sendLink(s.dsl, s.id, to);
      const opened = await pub('open', { token, code: await askCode(token, to) });
      expect(opened.statusCode, opened.body).toBe(200);
      const set = opened.cookies.find((c) => c.name === '__Secure-lantern_transfer_view');
      expect(set).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api/public/transfer-link',
      });
      expect(opened.cookies.map((c) => c.name)).toEqual(['__Secure-lantern_transfer_view']);
      // The key works under that name, and not under the plain one.
      const cookie = `__Secure-lantern_transfer_view=${set!.value}`;
      expect((await get('manifest.json', cookie)).statusCode).toBe(200);
      expect((await get('manifest.json', `lantern_transfer_view=${set!.value}`)).statusCode).toBe(
        400,
      );
      // Receipt clears the same cookie (same name, path and flags), so no stale key is left.
      const done = await pub('receipt', { token, name: 'Rita Receiver', role: 'DSL' }, cookie);
      expect(done.statusCode, done.body).toBe(200);
      const cleared = done.cookies.find((c) => c.name === '__Secure-lantern_transfer_view');
      expect(cleared).toMatchObject({ value: '', secure: true, path: '/api/public/transfer-link' });
      expect(cleared!.expires!.getTime()).toBeLessThanOrEqual(Date.now());
    } finally {
      await t.close();
      t = plain;
    }
  });

  it('refuses an expired link, a revoked one, and voids a code after five wrong tries', async () => {
    const s = await leaving('Second record.');
    const to = `dsl-${randomInt(1e6)}@mail.hilltop.sch.uk`; // a subdomain is the school's too
    const { token } = await sendLink(s.dsl, s.id, to);
    const code = await askCode(token, to);
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++)
      expect((await pub('open', { token, code: wrongCode })).statusCode).toBe(400);
    // The throttle may hold the fifth try back; either way the code is void after five.
    await owner('DELETE FROM sign_in_throttle');
    const fifth = await pub('open', { token, code: wrongCode });
    expect(errorOf(fifth).message).toMatch(/no longer works: ask for a new code/);
    await owner('DELETE FROM sign_in_throttle');
    expect(errorOf(await pub('open', { token, code })).message).toMatch(/no code waiting/);

    // Expired: refused with its reason, audited.
    await owner(
      `UPDATE transfer_links SET expires_at = now() - interval '1 minute' WHERE transfer_id = $1`,
      [s.id],
    );
    const expired = await pub('view', { token });
    expect(expired.statusCode).toBe(400);
    expect(errorOf(expired).message).toMatch(/expired/);
    await owner(
      `UPDATE transfer_links SET expires_at = now() + interval '1 day' WHERE transfer_id = $1`,
      [s.id],
    );

    // Revoked by the sender: the link stops at once, and no copy of the file as sent is kept.
    const fileBytes = async () =>
      (
        await owner<{ sent_file: Buffer | null; link_file: Buffer }>(
          `SELECT x.sent_file, l.file AS link_file FROM transfers x
           JOIN transfer_links l ON l.transfer_id = x.id WHERE x.id = $1`,
          [s.id],
        )
      )[0]!;
    const whole = await fileBytes();
    expect(whole.sent_file).not.toBeNull();
    const revoked = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json<TransferOut>()).toMatchObject({
      state: 'revoked',
      link: { state: 'revoked' },
    });
    const emptied = await fileBytes();
    expect(emptied.sent_file).toBeNull();
    // The link's copy is the sealed "cleared" marker: far shorter than the file it held.
    expect(emptied.link_file.length).toBeLessThan(whole.link_file.length / 2);
    const gone = await pub('view', { token });
    expect(gone.statusCode).toBe(400);
    expect(errorOf(gone).message).toMatch(/withdrawn/);
    // An unknown token says only that the link does not work; a run of them is audited in the
    // platform's trail at most once a minute for the address (and counted against it).
    const platformRefusals = async () =>
      (await auditRows(t, PLATFORM_SCHOOL_ID)).filter((r) => r.action === 'transfer.link_refused')
        .length;
    const platformBefore = await platformRefusals();
    for (let i = 0; i < 5; i++) {
      const unknown = await pub('view', { token: `${i}`.repeat(43) });
      expect(unknown.statusCode).toBe(404);
    }
    expect((await platformRefusals()) - platformBefore).toBeLessThanOrEqual(1);

    const reasons = (await actions(s.schoolId))
      .filter((a) => a.action === 'transfer.link_refused')
      .map((a) => (a.details as { reason: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['expired', 'revoked', 'no_code']));
    expect(
      (await actions(s.schoolId)).filter((a) => a.action === 'transfer.link_code_refused'),
    ).toHaveLength(5);
  });

  it('compares no more than five wrong codes, however many guesses arrive at once', async () => {
    const s = await leaving('Parallel guesses record.');
    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
    const { token } = await sendLink(s.dsl, s.id, to);
    const code = await askCode(token, to);
    const wrongs = Array.from({ length: 20 }, (_, i) =>
      String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const answers = await Promise.all(wrongs.map((c) => pub('open', { token, code: c })));
    expect(answers.every((a) => a.statusCode === 400 || a.statusCode === 429)).toBe(true);
    const compared = (await actions(s.schoolId)).filter(
      (a) => a.action === 'transfer.link_code_refused',
    );
    expect(compared.length).toBeGreaterThan(0);
    expect(compared.length).toBeLessThanOrEqual(5);
    expect(compared.every((a) => (a.details as { failures: number }).failures <= 5)).toBe(true);
    // The held-back guesses are told what to do and when, not to ask an administrator.
    const held = answers.find((a) => a.statusCode === 429);
    expect(held).toBeDefined();
    expect(errorOf(held!).message).toMatch(
      /Too many wrong codes for this link\. Try again in .*, or ask .* to send the file again/,
    );
    expect(Number(held!.headers['retry-after'])).toBeGreaterThan(0);
    // And the right code is refused afterwards: the guessing run is held back.
    const right = await pub('open', { token, code });
    expect([400, 429]).toContain(right.statusCode);
    expect(
      (
        await owner<{ code_failures: number; view_hash: Buffer | null }>(
          'SELECT code_failures, view_hash FROM transfer_links WHERE transfer_id = $1',
          [s.id],
        )
      )[0],
    ).toMatchObject({ code_failures: compared.length, view_hash: null });
    // Two asks for a code at once: one code is sent, the other is told to wait.
    await owner(`UPDATE transfer_links SET code_sent_at = NULL WHERE transfer_id = $1`, [s.id]);
    const asks = await Promise.all([pub('code', { token }), pub('code', { token })]);
    expect(asks.map((a) => a.statusCode).sort()).toEqual([200, 429]);
  });

  it('sends again to the same address with a new link, the old one replaced', async () => {
    const s = await leaving('Third record.');
    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
    const first = await sendLink(s.dsl, s.id, to);
    const before = mail.messages.length;
    const again = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/send-again`, {
      withhold: [],
    });
    expect(again.statusCode, again.body).toBe(200);
    await drainWork(t);
    const text = await mail.to(to, before);
    const token = /\/transfer-link#([A-Za-z0-9_-]{43})/.exec(text)![1]!;
    expect(token).not.toBe(first.token);
    expect(errorOf(await pub('view', { token: first.token })).message).toMatch(/withdrawn/);
    // The replaced link's own copy of the file is emptied; the new link's holds the file.
    const files = await owner<{ state: string; file: Buffer }>(
      'SELECT state, file FROM transfer_links WHERE transfer_id = $1',
      [s.id],
    );
    const old = files.find((f) => f.state === 'replaced')!;
    const live = files.find((f) => f.state === 'live')!;
    expect(old.file.length).toBeLessThan(live.file.length / 2);
    expect((await pub('view', { token })).json<LinkView>().state).toBe('locked');
    const preview = (
      await call(t.app, s.dsl, 'GET', `/api/transfers/${s.id}`)
    ).json<TransferFilePreview>();
    expect(preview.transfer.link).toMatchObject({ email: to, state: 'live' });
  });

  it('keeps the link days the school sets (1 to 60), audited', async () => {
    const s = await leaving('Fourth record.');
    expect(
      (await call(t.app, s.dsl, 'PUT', '/api/transfers/link-settings', { linkDays: 61 }))
        .statusCode,
    ).toBe(400);
    const set = await call(t.app, s.dsl, 'PUT', '/api/transfers/link-settings', { linkDays: 7 });
    expect(set.statusCode, set.body).toBe(200);
    const { out } = await sendLink(s.dsl, s.id, `dsl-${randomInt(1e6)}@hilltop.sch.uk`);
    const days = (Date.parse(out.link!.expiresAt) - Date.parse(out.sentAt!)) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    expect((await actions(s.schoolId)).map((a) => a.action)).toContain(
      'transfer.link_settings_set',
    );
  });
});

describe('body maps in the file', () => {
  it("carries each concern's body map, covered by its SHA-256 and drawn in the link's PDF", async () => {
    const s = await leaving('Record with a body map.');
    const [category] = await categoryIds(t.services, s.schoolId);
    const mapped = await call(t.app, s.dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 30_000).toISOString(),
      body: 'Marks seen at registration.',
      bodyMap: [
        { side: 'front', x: 0.5, y: 0.5, type: 'bruise', description: 'Fingertip bruising' },
      ],
    });
    expect(mapped.statusCode, mapped.body).toBe(201);
    const preview = (
      await call(t.app, s.dsl, 'GET', `/api/transfers/${s.id}`)
    ).json<TransferFilePreview>();
    const item = preview.items.find((i) => i.text === 'Marks seen at registration.')!;
    expect(item.bodyMap).toMatchObject([{ type: 'bruise', description: 'Fingertip bruising' }]);
    expect(
      preview.items.find((i) => i.text === 'Record with a body map.')!.bodyMap,
    ).toBeUndefined();

    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
    const { token } = await sendLink(s.dsl, s.id, to);
    const code = await askCode(token, to);
    const opened = await pub('open', { token, code });
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    const manifest = (await get('manifest.json', cookie)).json<{
      items: { itemId: string; sha256: string }[];
    }>();
    expect(manifest.items.find((m) => m.itemId === item.id)!.sha256).toBe(sha256(item));
    const pdf = await get('file.pdf', cookie);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(text).toMatch(/Fingertip bruising/);
  });
});

describe('what the sender keeps once the file is accepted (the retention setting)', () => {
  /** Sends by link, opens with the code and confirms receipt: the transfer is accepted. */
  async function accepted(s: Awaited<ReturnType<typeof leaving>>) {
    const to = `dsl-${randomInt(1e6)}@hilltop.sch.uk`;
    const { token } = await sendLink(s.dsl, s.id, to);
    const code = await askCode(token, to);
    const opened = await pub('open', { token, code });
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    const done = await pub('receipt', { token, name: 'Rita Receiver', role: 'DSL' }, cookie);
    expect(done.statusCode, done.body).toBe(200);
  }
  const out = async (s: { dsl: Session }) =>
    (await call(t.app, s.dsl, 'GET', '/api/transfers')).json<TransfersView>().out[0]!;
  const setKeeps = async (s: { dsl: Session }, keeps: string) => {
    const set = await call(t.app, s.dsl, 'PATCH', '/api/retention/schedule/transferred_file', {
      transferKeeps: keeps,
    });
    expect(set.statusCode, set.body).toBe(200);
  };

  it('keeps a sealed copy to date of birth + 25 years, opened only with a reason (audited)', async () => {
    const s = await leaving('Sealed copy record.');
    await owner(`UPDATE pupils SET date_of_birth = '2014-02-03' WHERE id = $1`, [s.pupil.id]);
    const early = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/kept-copy`, {
      reason: 'Checking',
    });
    expect(early.statusCode).toBe(409);
    await accepted(s);
    expect((await out(s)).kept).toEqual({
      mode: 'sealed_copy',
      until: '2039-02-03',
      removedAt: null,
      reviewDueOn: null,
    });
    const noReason = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/kept-copy`, {
      reason: '  ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(errorOf(noReason).message).toMatch(/Say why/);
    const copy = await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/kept-copy`, {
      reason: 'Police request, ref 123',
    });
    expect(copy.statusCode, copy.body).toBe(200);
    const kept = copy.json<KeptCopy>();
    expect(kept.items.find((i) => i.kind === 'concern')?.text).toBe('Sealed copy record.');
    expect(kept.openings).toMatchObject([{ reason: 'Police request, ref 123' }]);
    const [opening] = await owner<{ reason: Buffer }>(
      'SELECT reason FROM transfer_copy_openings WHERE transfer_id = $1',
      [s.id],
    );
    expect(opening!.reason.toString('latin1')).not.toContain('Police');
    const audit = (await actions(s.schoolId)).filter((a) =>
      ['transfer.kept', 'transfer.kept_copy_opened'].includes(a.action),
    );
    expect(audit).toMatchObject([
      { action: 'transfer.kept', details: { kept: 'sealed_copy', until: '2039-02-03' } },
      { action: 'transfer.kept_copy_opened', details: { kept: 'sealed_copy' } },
    ]);
  });

  it('keeps the chronology only, or nothing, as the school set', async () => {
    const s = await leaving('Chronology only record.');
    const [category] = await categoryIds(t.services, s.schoolId);
    const mapped = await call(t.app, s.dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: s.pupil.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 30_000).toISOString(),
      body: 'Marks seen.',
      bodyMap: [{ side: 'front', x: 0.4, y: 0.3, type: 'bruise', description: 'Belt-shaped mark' }],
    });
    expect(mapped.statusCode, mapped.body).toBe(201);
    await setKeeps(s, 'chronology_only');
    await accepted(s);
    expect((await out(s)).kept?.mode).toBe('chronology_only');
    const copy = (
      await call(t.app, s.dsl, 'POST', `/api/transfers/${s.id}/kept-copy`, { reason: 'Review' })
    ).json<KeptCopy>();
    const concern = copy.items.find((i) => i.kind === 'concern')!;
    expect(concern.text).toBeNull();
    expect(concern.title).toBeTruthy();
    expect(copy.items.filter((i) => i.kind === 'concern')).toHaveLength(2);
    expect(copy.items.every((i) => i.bodyMap === undefined)).toBe(true);
    expect(JSON.stringify(copy)).not.toMatch(/Belt-shaped/);

    const n = await leaving('Nothing kept record.');
    await setKeeps(n, 'nothing');
    await accepted(n);
    expect((await out(n)).kept).toEqual({
      mode: 'nothing',
      until: null,
      removedAt: null,
      reviewDueOn: null,
    });
    const none = await call(t.app, n.dsl, 'POST', `/api/transfers/${n.id}/kept-copy`, {
      reason: 'Review',
    });
    expect(none.statusCode).toBe(409);
    expect(errorOf(none).message).toMatch(/keeps nothing/);
    const [row] = await owner<{ sent_file: Buffer | null }>(
      'SELECT sent_file FROM transfers WHERE id = $1',
      [n.id],
    );
    expect(row!.sent_file).toBeNull();
  });

  const file = async (id: string) =>
    (
      await owner<{ sent_file: Buffer | null }>('SELECT sent_file FROM transfers WHERE id = $1', [
        id,
      ])
    )[0]!.sent_file;
  const ofAction = (s: { schoolId: string }, action: string) =>
    actions(s.schoolId).then((a) => a.filter((r) => r.action === action));
  const setAction = async (s: { dsl: Session }, action: string) => {
    const set = await call(t.app, s.dsl, 'PATCH', '/api/retention/schedule/transferred_file', {
      action,
    });
    expect(set.statusCode, set.body).toBe(200);
  };
  /** A pupil born on `dob` whose file was sent by link and accepted. */
  async function keptFor(dob: string, body: string) {
    const s = await leaving(body);
    await owner(`UPDATE pupils SET date_of_birth = $2 WHERE id = $1`, [s.pupil.id, dob]);
    await accepted(s);
    return s;
  }

  it('under the default review rule keeps a copy past its date, marked due for review; under destroy removes it', async () => {
    // Kept to date of birth + 25 years: 2025-01-01 has passed, 2039-02-03 has not.
    const due = await keptFor('2000-01-01', 'Kept past its date.');
    const notDue = await keptFor('2014-02-03', 'Kept within its date.');
    const schools = [due.schoolId, notDue.schoolId];

    // The default rule's action is review: nothing is removed, the copy past its date is marked.
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(1);
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(0);
    expect(await file(due.id)).not.toBeNull();
    expect(await file(notDue.id)).not.toBeNull();
    expect((await out(due)).kept).toEqual({
      mode: 'sealed_copy',
      until: '2025-01-01',
      removedAt: null,
      reviewDueOn: '2025-01-01',
    });
    expect((await out(notDue)).kept).toMatchObject({ until: '2039-02-03', reviewDueOn: null });
    expect(await ofAction(due, 'transfer.kept_copy_review_due')).toMatchObject([
      { target_id: due.id, details: { kept: 'sealed_copy', until: '2025-01-01' } },
    ]);
    expect(await ofAction(due, 'transfer.kept_copy_expired')).toEqual([]);
    // Still kept, it still opens with a reason.
    const opened = await call(t.app, due.dsl, 'POST', `/api/transfers/${due.id}/kept-copy`, {
      reason: 'Reviewing it',
    });
    expect(opened.statusCode, opened.body).toBe(200);

    // The school sets the rule to destroy: the next run removes the copy past its date only.
    await setAction(due, 'destroy');
    await setAction(notDue, 'destroy');
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(1);
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(0);
    expect(await file(due.id)).toBeNull();
    expect(await file(notDue.id)).not.toBeNull();
    expect((await out(due)).kept).toMatchObject({
      until: '2025-01-01',
      removedAt: expect.any(String) as unknown,
    });
    const gone = await call(t.app, due.dsl, 'POST', `/api/transfers/${due.id}/kept-copy`, {
      reason: 'Checking',
    });
    expect(gone.statusCode).toBe(409);
    expect(errorOf(gone).message).toMatch(/removed on .*2025-01-01.*passed/);
    expect(await ofAction(due, 'transfer.kept_copy_expired')).toMatchObject([
      { target_id: due.id, details: { kept: 'sealed_copy', until: '2025-01-01' } },
    ]);
    expect(await ofAction(notDue, 'transfer.kept_copy_expired')).toEqual([]);
  });

  it('under destroy keeps a copy a hold covers: on the pupil, one record, a category, or a standing hold the sweep never placed', async () => {
    const onPupil = await keptFor('2000-01-01', 'Held: pupil.');
    const onRecord = await keptFor('2000-01-01', 'Held: record.');
    const onCategory = await keptFor('2000-01-01', 'Held: category.');
    const standing = await keptFor('2000-01-01', 'Held: standing.');
    const all = [onPupil, onRecord, onCategory, standing];
    for (const s of all) await setAction(s, 'destroy');
    const dpoOf = async (s: { schoolId: string }) =>
      signIn(t.app, await makeUser(t.services, s.schoolId, 'dpo'), { elevated: true });
    const recordOf = async (s: { pupil: { id: string } }) =>
      (
        await owner<{ concern_id: string }>(
          'SELECT concern_id FROM concern_pupils WHERE pupil_id = $1',
          [s.pupil.id],
        )
      )[0]!.concern_id;
    const place = async (s: { schoolId: string }, body: object) => {
      const placed = await call(t.app, await dpoOf(s), 'POST', '/api/retention/holds', {
        matter: 'litigation',
        reason: 'Solicitors acting for the family wrote on 3 March.',
        ...body,
      });
      expect(placed.statusCode, placed.body).toBe(201);
      return placed.json<{ id: string }>().id;
    };
    const pupilHold = await place(onPupil, { scope: 'pupil', pupilId: onPupil.pupil.id });
    await place(onRecord, { scope: 'record', concernId: await recordOf(onRecord) });
    const [category] = await categoryIds(t.services, onCategory.schoolId);
    await place(onCategory, { scope: 'category', categoryId: category!.id });
    // A sexual-abuse record about the pupil, in a school whose standing holds were never placed
    // (no sweep, no holds screen): the expiry places them first, and the copy stays.
    const sexualAbuse = (await categoryIds(t.services, standing.schoolId)).find(
      (c) => c.name === 'Sexual abuse',
    )!;
    const logged = await call(t.app, standing.dsl, 'POST', '/api/concerns', {
      pupils: [{ pupilId: standing.pupil.id, role: 'subject' }],
      categoryIds: [sexualAbuse.id],
      happenedAt: new Date(Date.now() - 10_000).toISOString(),
      body: 'Disclosed abuse.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const standingHolds = () =>
      owner('SELECT 1 FROM retention_holds WHERE school_id = $1 AND standing', [standing.schoolId]);
    expect(await standingHolds()).toEqual([]);

    const schools = all.map((s) => s.schoolId);
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(0);
    for (const s of all) {
      expect(await file(s.id)).not.toBeNull();
      expect(await ofAction(s, 'transfer.kept_copy_expired')).toEqual([]);
    }
    expect((await standingHolds()).length).toBeGreaterThan(0);

    // The pupil's hold lifted, that copy goes on the next run; the others stay.
    const lifted = await call(
      t.app,
      await dpoOf(onPupil),
      'POST',
      `/api/retention/holds/${pupilHold}/lift`,
      { reason: 'The claim was settled.' },
    );
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await runKeptCopyExpiry(t.services, new Date(), schools)).toBe(1);
    expect(await file(onPupil.id)).toBeNull();
    for (const s of [onRecord, onCategory, standing]) expect(await file(s.id)).not.toBeNull();
  });

  it('keeps a copy through its date in London and removes it the day after, at the later of its kept date and the rule now', async () => {
    // Kept to 2025-07-01 (British Summer Time: London is an hour ahead of UTC).
    const s = await keptFor('2000-07-01', 'Kept to a summer date.');
    await setAction(s, 'destroy');
    const run = (at: string) => runKeptCopyExpiry(t.services, new Date(at), [s.schoolId]);
    // 23:30 on 1 July in London: still its day.
    expect(await run('2025-07-01T22:30:00Z')).toBe(0);
    expect(await file(s.id)).not.toBeNull();
    // A longer period set since acceptance: the later date (to 2026-07-01) keeps it.
    const longer = await call(t.app, s.dsl, 'PATCH', '/api/retention/schedule/transferred_file', {
      years: 26,
    });
    expect(longer.statusCode, longer.body).toBe(200);
    expect(await run('2025-07-01T23:30:00Z')).toBe(0);
    expect(await file(s.id)).not.toBeNull();
    // Back to 25 years, and the birth date corrected to an earlier one: kept_until still holds.
    const back = await call(t.app, s.dsl, 'PATCH', '/api/retention/schedule/transferred_file', {
      years: 25,
    });
    expect(back.statusCode, back.body).toBe(200);
    await owner(`UPDATE pupils SET date_of_birth = '1999-01-01' WHERE id = $1`, [s.pupil.id]);
    expect(await run('2025-07-01T22:59:00Z')).toBe(0);
    // 00:30 on 2 July in London (23:30 UTC on 1 July): the day after, it goes.
    expect(await run('2025-07-01T23:30:00Z')).toBe(1);
    expect(await file(s.id)).toBeNull();
    expect(await ofAction(s, 'transfer.kept_copy_expired')).toMatchObject([
      { target_id: s.id, details: { until: '2025-07-01' } },
    ]);
  });
});
