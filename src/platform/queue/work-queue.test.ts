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
import { SMTP_TIMEOUT_MS } from '../mail/mailer.ts';
import type { Database } from '../db/engine.ts';
import { runDueWork, SWEEP_EVERY_MS } from './worker.ts';
import {
  backoffMs,
  claimDue,
  enqueue,
  heldKeyIds,
  KEEP_MS,
  LEASE_MS,
  MAX_ATTEMPTS,
  type WorkHandlers,
} from './work-queue.ts';

let mail: MailTrap;
let s: Services;
const clock = testClock();
const warnings: string[] = [];
const errors: string[] = [];
const masterKey = randomBytes(32).toString('base64');

beforeAll(async () => {
  mail = await startMailTrap();
  s = await createServices(testConfig({ smtpUrl: mail.url, masterKey }), {
    db: await testDatabase(),
    clock,
    log: { ...silentLog, warn: (m) => void warnings.push(m), error: (m) => void errors.push(m) },
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

describe('a batch run one job after another', () => {
  /** Work of a kind only these tests handle, queued now. */
  const queueProbe = (n: number) =>
    inPlatform(s.db, (q) =>
      enqueue(q, s, { kind: 'test.probe', payload: { n }, now: clock.now() }),
    );

  it('skips a job whose lease ran out and another process took over while an earlier one ran', async () => {
    await queueProbe(1);
    await queueProbe(2);
    const ran: number[] = [];
    let other: Awaited<ReturnType<typeof claimDue>> = [];
    const handlers: WorkHandlers = {
      'test.probe': async (payload) => {
        const { n } = payload as { n: number };
        ran.push(n);
        if (ran.length === 1) {
          // A slow first job: the batch's leases run out, and another process claims the rest.
          clock.advance(LEASE_MS + 1000);
          other = await inPlatform(s.db, (q) =>
            claimDue(q, s, { worker: 'other-process', now: clock.now(), limit: 10 }),
          );
        }
      },
    };
    await runDueWork(s, handlers, 'slow-worker');
    // The other process holds both (the slow job outlived its own lease too: what the mail
    // server's timeouts below prevent); this worker did not go on to run the second as well.
    expect(other.map((c) => (c.payload as { n: number }).n).sort()).toEqual([1, 2]);
    expect(ran).toHaveLength(1);
    // Tidy: once the other process's lease runs out (it "died"), the rows are done and removed.
    clock.advance(LEASE_MS);
    await runDueWork(s, handlers);
    expect(await rows()).toEqual([]);
  });

  it('does not run a job again when removing its row fails after it was done', async () => {
    await queueProbe(3);
    const real = s.db;
    // A database that fails the delete that follows the work (the connection lost a moment).
    const failingDelete: Database = {
      engine: real.engine,
      limits: real.limits,
      separateLogin: real.separateLogin ?? false,
      query: (sql, params) => real.query(sql, params),
      exec: (sql) => real.exec(sql),
      lookup: (sql, lane) => real.lookup(sql, lane),
      transaction: (fn, lane) =>
        real.transaction(
          (tx) =>
            fn({
              query: (sql, params) =>
                /^\s*DELETE FROM work_queue WHERE id/.test(sql)
                  ? Promise.reject(new Error('connection lost'))
                  : tx.query(sql, params),
              exec: (sql) => tx.exec(sql),
            }),
          lane,
        ),
      close: () => Promise.resolve(),
    };
    let runs = 0;
    const handlers: WorkHandlers = {
      'test.probe': () => {
        runs++;
        return Promise.resolve();
      },
    };
    warnings.length = 0;
    errors.length = 0;
    await runDueWork({ ...s, db: failingDelete }, handlers, 'unlucky-worker');
    await runDueWork(s, handlers);
    expect(runs).toBe(1);
    expect(errors).toEqual([
      'deferred work: a test.probe was done but its row could not be removed (Error)',
    ]);
    expect(warnings).toEqual([]);
    const [row] = await rows();
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    // Tidy: the lease runs out and the (harmless) probe is done and removed.
    clock.advance(LEASE_MS);
    await runDueWork(s, handlers);
    expect(await rows()).toEqual([]);
  });

  it('gives the mail server far less time than a lease, at each step', () => {
    expect(SMTP_TIMEOUT_MS * 3).toBeLessThan(LEASE_MS);
  });
});

describe('old rows', () => {
  it('are swept after a week, at most hourly, even when sealed under a key no process holds', async () => {
    // Another installation's master key, long gone: this process can never open or claim it.
    const gone = {
      config: testConfig({ masterKey: randomBytes(32).toString('base64') }),
      log: silentLog,
    };
    const queueGone = (ageMs: number) =>
      inPlatform(s.db, (q) =>
        enqueue(q, gone, {
          kind: 'mail.send',
          payload: notice(someone()),
          now: new Date(clock.now().getTime() - ageMs),
        }),
      );
    const goneRows = () =>
      unsafeAsOwner(s.db, (q) =>
        q.query<{ age: number }>(
          `SELECT round(extract(epoch FROM ($2::timestamptz - created_at)) / 86400)::int AS age
           FROM work_queue WHERE master_key_id = ANY($1::text[]) ORDER BY age`,
          [heldKeyIds(gone), clock.now()],
        ),
      );
    const day = 86_400_000;
    clock.advance(SWEEP_EVERY_MS); // the last sweep (an earlier test's run) was at least an hour ago
    await queueGone(8 * day);
    await queueGone(6 * day);
    warnings.length = 0;
    await runWorkQueueOnce(s);
    expect(await goneRows()).toEqual([{ age: 6 }]);
    expect(warnings.join('\n')).toMatch(/removed \d+ queued row\(s\) older than 7 days/);

    // Within the hour, no sweep; an hour on, the next one.
    await queueGone(KEEP_MS + day);
    await runWorkQueueOnce(s);
    expect(await goneRows()).toEqual([{ age: 6 }, { age: 8 }]);
    clock.advance(SWEEP_EVERY_MS);
    await runWorkQueueOnce(s);
    expect(await goneRows()).toEqual([{ age: 6 }]);
    await unsafeAsOwner(s.db, (q) =>
      q.query('DELETE FROM work_queue WHERE master_key_id = ANY($1::text[])', [heldKeyIds(gone)]),
    );
  });
});
