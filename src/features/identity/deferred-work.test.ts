// Issue 11, finding 12: the work behind a "forgotten password" survives a restart. The request is
// answered and the process stops before its worker runs; a new process on the same database (and
// the same master key) sends the email, whose link works. What waits in the queue holds neither
// the address nor anything else in clear; an unknown email's work ends with nothing written.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/engine.ts';
import { createServices, type Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { heldKeyIds } from '../../platform/queue/work-queue.ts';
import {
  appFor,
  makeSchool,
  makeUser,
  silentLog,
  testConfig,
  testDatabase,
} from '../../test/harness.ts';
import { startWorkQueue } from '../../jobs/work-queue.ts';
import { auditActions, linkToken, startMailTrap, type MailTrap } from './identity-test-kit.ts';

const actions = (services: Services, schoolId: string) => auditActions({ services }, schoolId);

let mail: MailTrap;
let dir: string | undefined;
beforeAll(async () => {
  mail = await startMailTrap();
});
afterAll(async () => {
  await mail.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The same database each time: the PostgreSQL test database, or embedded files on disk. */
function openShared(): Promise<Database> {
  if (inject('engine') === 'postgres') return testDatabase();
  dir ??= mkdtempSync(path.join(tmpdir(), 'lantern-queue-'));
  return openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
}

/** This process's queued rows (those under its master key), as the owner sees them. */
function queued(s: Services) {
  return unsafeAsOwner(s.db, (q) =>
    q.query<{ kind: string; sealed: Buffer; last_error: string | null }>(
      'SELECT kind, sealed, last_error FROM work_queue WHERE master_key_id = ANY($1::text[])',
      [heldKeyIds(s)],
    ),
  );
}

describe('deferred work across a restart', () => {
  it('sends the reset link queued by a process that stopped before its worker ran', async () => {
    const config = testConfig({ smtpUrl: mail.url, masterKey: randomBytes(32).toString('base64') });

    // The first process answers and stops; it never started a worker.
    const first = await createServices(config, { db: await openShared(), log: silentLog });
    const { app } = await appFor(first);
    const schoolId = await makeSchool(first);
    const user = await makeUser(first, schoolId, 'teacher', 'Queued Reset');
    const unknown = `nobody-${randomUUID().slice(0, 8)}@test.lantern.invalid`;
    for (const email of [user.email, unknown]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/forgotten-password',
        payload: { email },
      });
      expect(res.statusCode, res.body).toBe(202);
    }
    const waiting = await queued(first);
    expect(waiting.map((r) => r.kind)).toEqual([
      'identity.password_reset',
      'identity.password_reset',
    ]);
    for (const row of waiting) {
      expect(row.sealed.includes(Buffer.from(user.email))).toBe(false);
      expect(row.sealed.includes(Buffer.from(unknown))).toBe(false);
    }
    expect(mail.messages).toEqual([]);
    expect(await actions(first, schoolId)).not.toContain('auth.password_reset_requested');
    await app.close();
    await first.db.close();

    // A new process on the same database picks the work up at start.
    const second = await createServices(config, { db: await openShared(), log: silentLog });
    const worker = startWorkQueue(second);
    try {
      await worker.drain();
      const token = linkToken(await mail.to(user.email, 0));
      expect(mail.messages.flatMap((m) => m.to)).toEqual([user.email]);
      expect(await queued(second)).toEqual([]);
      const { app: again } = await appFor(second);
      const set = await again.inject({
        method: 'POST',
        url: '/api/auth/set-password',
        payload: { token, password: 'Restarted-lantern-queue-8!' },
      });
      expect(set.statusCode, set.body).toBe(204);
      expect(await actions(second, schoolId)).toEqual(
        expect.arrayContaining(['auth.password_reset_requested', 'auth.password_changed']),
      );
      await again.close();
    } finally {
      await worker.stop();
      await second.db.close();
    }
  }, 120_000);
});
