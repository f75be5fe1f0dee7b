// Test-only helpers for the identity and administration API tests (never imported by the server):
// a real SMTP server on loopback that keeps every message it is given, authenticator codes from
// oathtool (an independent RFC 6238 implementation), password sign-in through the API, session
// cookies, audit rows and enrolling an authenticator app as a person would.
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';
import { call, type Session, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { workerFor } from '../../platform/queue/worker.ts';
import { runWorkQueueOnce } from '../../jobs/work-queue.ts';

export type Mail = { to: string[]; text: string };

export type MailTrap = {
  url: string;
  messages: Mail[];
  /**
   * The first message to `email` received after `after` messages; waits up to five seconds (emails
   * go from the deferred-work queue shortly after the answer; drainWork waits for them exactly).
   */
  to(email: string, after: number): Promise<string>;
  close(): Promise<void>;
};

/** Undoes quoted-printable (nodemailer's encoding for text with non-ASCII characters). */
function decode(raw: string): string {
  const bytes = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export async function startMailTrap(): Promise<MailTrap> {
  const messages: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          text: decode(Buffer.concat(chunks).toString('latin1')),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async to(email, after) {
      for (let i = 0; i < 250; i++) {
        const m = messages.slice(after).find((x) => x.to.includes(email));
        if (m) return m.text;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no email reached ${email}`);
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

/**
 * Waits until the deferred work queued so far (emails, a reset's link and audit entry, a refused
 * sign-in's audit entry) has run: the test app's worker drains, so this never sleeps blindly.
 * Emails are in the trap when it resolves (the SMTP server keeps a message before it answers).
 */
export async function drainWork(t: Pick<TestApp, 'services'>): Promise<void> {
  const worker = workerFor(t.services);
  if (worker) await worker.drain();
  else await runWorkQueueOnce(t.services);
}

/** The token of the single-use link in an email. */
export function linkToken(text: string): string {
  const m = /\/set-password#token=([A-Za-z0-9_-]{43})/.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return m[1]!;
}

/** The code an authenticator app shows at `at` (oathtool, base32 secret). */
export function oathtool(secret: string, at: Date): string {
  return execFileSync(
    '/usr/bin/oathtool',
    ['--totp', '-b', `--now=${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`, secret],
    { encoding: 'utf8' },
  ).trim();
}

type Reply = Awaited<ReturnType<TestApp['app']['inject']>>;

export function passwordSignIn(t: TestApp, user: { email: string; password: string }) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email: user.email, password: user.password },
  });
}

/** The session a reply set (or kept), with its CSRF token. */
export function sessionOf(res: Reply, old?: Session): Session {
  const c = res.cookies.find((x) => x.name === 'lantern_session');
  const body = res.json<{ csrfToken?: string; session?: { csrfToken: string } }>();
  const csrf = body.csrfToken ?? body.session?.csrfToken ?? old?.csrf;
  const cookie = c ? `lantern_session=${c.value}` : old?.cookie;
  if (!cookie || !csrf) throw new Error(`no session in ${res.statusCode} ${res.body}`);
  return { cookie, csrf };
}

export const errorOf = (res: Reply) =>
  res.json<{ error: { code: string; message: string } }>().error;

export type AuditRow = {
  action: string;
  target_id: string | null;
  details: Record<string, unknown>;
};

export async function auditRows(
  t: Pick<TestApp, 'services'>,
  schoolId: string,
): Promise<AuditRow[]> {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<AuditRow>(
      'SELECT action, target_id, details FROM audit_events WHERE school_id = $1 ORDER BY seq',
      [schoolId],
    ),
  );
}

export const auditActions = async (t: Pick<TestApp, 'services'>, schoolId: string) =>
  (await auditRows(t, schoolId)).map((r) => r.action);

/**
 * Signs in with the password and enrols an authenticator app through the API, confirming it with
 * an oathtool code; answers the elevated session, the secret and the recovery codes shown.
 */
export async function enrolTotp(
  t: TestApp,
  user: { email: string; password: string },
): Promise<{ session: Session; secret: string; codes: string[] }> {
  const signedIn = await passwordSignIn(t, user);
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  const s = sessionOf(signedIn);
  const started = await call(t.app, s, 'POST', '/api/auth/totp/enrol');
  expect(started.statusCode, started.body).toBe(200);
  const secret = started.json<{ manualKey: string }>().manualKey.replace(/\s/g, '');
  const confirmed = await call(t.app, s, 'POST', '/api/auth/totp/confirm', {
    code: oathtool(secret, t.services.clock.now()),
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  const codes = confirmed.json<{ recoveryCodes: string[] | null }>().recoveryCodes ?? [];
  return { session: sessionOf(confirmed, s), secret, codes };
}
