// The deferred-work queue (issue 11, finding 12) on real databases with a real SMTP server on
// loopback: an email the mail server refuses stays queued, sealed, and goes later with a growing
// delay; after MAX_ATTEMPTS, or at once when retrying cannot help, it is dropped with a log line
// naming only its kind and a code; a row leased by a process that died is taken over only when the
// lease ends; two processes draining one PostgreSQL database send each email once; and a school's
// transaction may queue work but cannot read the queue.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { asSystem } from '../../core/context.ts';
import { createServices, type Services } from '../services.ts';
import { unsafeAsOwner, inPlatform } from '../db/tenancy.ts';
import { makeSchool, silentLog, testClock, testConfig, testDatabase } from '../../test/harness.ts';
import { startMailTrap, type MailTrap } from '../../features/identity/identity-test-kit.ts';
import { runWorkQueueOnce } from '../../jobs/work-queue.ts';
import { queueMail, sendLater, type QueuedMail } from '../mail/outbox.ts';
import { backoffMs, claimDue, heldKeyIds, LEASE_MS, MAX_ATTEMPTS } from './work-queue.ts';

let mail: MailTrap;
let s: Services;
const clock = testClock();
const warnings: string[] = [];
const masterKey = randomBytes(32).toString('base64');

beforeAll(async () => {
  mail = await startMailTrap();
  s = await createServices(testConfig({ smtpUrl: mail.url, masterKey }), {
    db: await testDatabase(),
    clock,
    log: { ...silentLog, warn: (m) => void warnings.push(m) },
  });
});
afterAll(async () => {
  await s.db.close();
  await mail.close();
});

const someone = () => `queue-${randomUUID().slice(0, 8)}@test.lantern.invalid`;
const notice = (to: string): QueuedMail => ({
  template: 'security_change',
  to,
  change: 'password',
});
const received = (to: string) => mail.messages.filter((m) => m.to.includes(to)).length;

/** This process's rows (under its master key), as the owner sees them. */
const rows = () =>
  unsafeAsOwner(s.db, (q) =>
    q.query<{
      sealed: Buffer;
      attempts: number;
      last_error: string | null;
      next_attempt_at: Date;
    }>(
      'SELECT sealed, attempts, last_error, next_attempt_at FROM work_queue WHERE master_key_id = ANY($1::text[])',
      [heldKeyIds(s)],
    ),
  );

/** A mail server that refuses, quoting the address as real ones do. */
function refusing(code?: number) {
  s.mailer = {
    send: (m) =>
      Promise.reject(
        Object.assign(new Error(`rejected ${m.to}`), code ? { responseCode: code } : {}),
      ),
  };
}

describe('a refused email', () => {
  let real: Services['mailer'];
  beforeAll(() => {
    real = s.mailer;
  });
  afterAll(() => {
    s.mailer = real;
  });

  it('stays queued, sealed, and goes once the delay has passed; the log names no one', async () => {
    const to = someone();
    warnings.length = 0;
    refusing();
    await sendLater(s, notice(to));
    await runWorkQueueOnce(s);
    const [row, ...more] = await rows();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ attempts: 1, last_error: 'smtp_failed' });
    expect(row!.next_attempt_at.getTime()).toBe(clock.now().getTime() + backoffMs(1));
    expect(row!.sealed.includes(Buffer.from(to))).toBe(false);
    expect(warnings).toEqual([
      'deferred work: a mail.send failed (smtp_failed, attempt 1 of 8); trying again in 15 s',
    ]);

    s.mailer = real;
    await runWorkQueueOnce(s); // not due yet
    expect(received(to)).toBe(0);
    clock.advance(backoffMs(1));
    await runWorkQueueOnce(s);
    expect(received(to)).toBe(1);
    expect(await rows()).toEqual([]);
  });

  it('is dropped after the last attempt, with a line that says only what kind and why', async () => {
    const to = someone();
    warnings.length = 0;
    refusing();
    await sendLater(s, notice(to));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await runWorkQueueOnce(s);
      clock.advance(backoffMs(attempt));
    }
    expect(await rows()).toEqual([]);
    expect(warnings.at(-1)).toBe(
      'deferred work: gave up on a mail.send after 8 attempt(s) (smtp_failed)',
    );
    expect(warnings.join('\n')).not.toContain(to);
  });

  it('is dropped at once when the mail server refuses for good (5xx) or the link has expired', async () => {
    warnings.length = 0;
    refusing(550);
    await sendLater(s, notice(someone()));
    await runWorkQueueOnce(s);
    s.mailer = real;
    const to = someone();
    await sendLater(s, {
      template: 'sign_in_link',
      to,
      link: `https://lantern.invalid/set-password#token=${'A'.repeat(43)}`,
      expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
    });
    await runWorkQueueOnce(s);
    expect(await rows()).toEqual([]);
    expect(received(to)).toBe(0);
    expect(warnings).toEqual([
      'deferred work: gave up on a mail.send after 1 attempt(s) (smtp_rejected)',
      'deferred work: gave up on a mail.send after 1 attempt(s) (link_expired)',
    ]);
  });
});

describe('leases and processes', () => {
  it('leaves a row leased by a process that died until its lease ends', async () => {
    const to = someone();
    await sendLater(s, notice(to));
    const [claimed] = await inPlatform(s.db, (q) =>
      claimDue(q, s, { worker: 'died-mid-send', now: clock.now(), limit: 10 }),
    );
    expect(claimed).toMatchObject({ kind: 'mail.send', payload: notice(to) });
    await runWorkQueueOnce(s);
    expect(received(to)).toBe(0);
    clock.advance(LEASE_MS);
    await runWorkQueueOnce(s);
    expect(received(to)).toBe(1);
  });

  it.runIf(inject('engine') === 'postgres')(
    'two processes draining one database send each email once',
    async () => {
      const other = await createServices(testConfig({ smtpUrl: mail.url, masterKey }), {
        db: await testDatabase(),
        clock,
        log: silentLog,
      });
      try {
        const to = Array.from({ length: 30 }, someone);
        await inPlatform(s.db, async (q) => {
          for (const x of to) await queueMail(q, s, notice(x), clock.now());
        });
        await Promise.all([runWorkQueueOnce(s), runWorkQueueOnce(other)]);
        expect(to.map(received)).toEqual(to.map(() => 1));
      } finally {
        await other.db.close();
      }
    },
  );

  it('lets a school queue work but not read, change or remove the queue', async () => {
    const schoolId = await makeSchool(s);
    await sendLater(s, notice(someone()));
    const seen = await asSystem(s, schoolId, 'scheduled').tx(async (t) => {
      await queueMail(t.db, s, notice(someone()), t.now);
      const read = await t.q('SELECT id FROM work_queue');
      const changed = await t.q('UPDATE work_queue SET attempts = 99 RETURNING id');
      const removed = await t.q('DELETE FROM work_queue RETURNING id');
      return [read.length, changed.length, removed.length];
    });
    expect(seen).toEqual([0, 0, 0]);
    expect(await rows()).toHaveLength(2);
    await runWorkQueueOnce(s);
    expect(await rows()).toEqual([]);
  });
});
