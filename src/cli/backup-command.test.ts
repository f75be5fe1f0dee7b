// The embedded engine's backups (issue 16), as an operator runs them: a server on its own data
// folder logs concerns without pause while `lantern backup` (a real child process) asks it for a
// backup over its socket (without spare WAL: db/spare-wal.ts, the only path there is), and every
// concern gets its 201; `lantern restore` puts it into a new folder, which opens with every
// concern acknowledged before the request, rows identical to the live ones, an intact audit
// chain, and concerns that still decrypt. Then the refusals: a wrong passphrase, a flipped byte
// and a non-empty folder, each with nothing written. Embedded engine only.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../platform/db/engine.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { createServices, jsonLog, type Services } from '../platform/services.ts';
import { verifyAudit } from '../platform/audit/verify.ts';
import { startEmbeddedBackups } from '../jobs/embedded-backups.ts';
import { runScheduledBackup } from '../platform/backup/embedded.ts';
import type { App } from '../core/feature.ts';
import {
  appFor,
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testConfig,
  type Session,
} from '../test/harness.ts';
import { runLantern } from '../test/cli-process.ts';

const UNREADABLE = /cannot be decrypted: wrong passphrase or damaged file/;
const lantern = runLantern;

const embedded = inject('engine') === 'embedded';
let base: string;
let env: Record<string, string>;
let services: Services;
let app: App;
let stopBackups: () => Promise<void>;
let backupFile: string;
// Stops the concurrent writer. Called first on teardown: a writer left running while the
// database closes under it gets 500s (PGlite's "closed") that hide why the test really failed —
// how the first test's timeout once showed as a concern's 500.
let stopWriter: () => Promise<void> = async () => undefined;

describe.skipIf(!embedded)('lantern backup and restore (embedded)', () => {
  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'lantern-bk-'));
    const dataDir = path.join(base, 'data');
    const secrets = path.join(base, 'secrets');
    mkdirSync(secrets, { mode: 0o700 });
    const passphraseFile = path.join(secrets, 'backup.passphrase');
    writeFileSync(passphraseFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    env = {
      NODE_ENV: 'test',
      LANTERN_DATA_DIR: dataDir,
      LANTERN_BACKUP_PASSPHRASE_FILE: passphraseFile,
    };
    const config = testConfig({
      dataDir,
      logLevel: 'warn',
      // No scheduled folder for the server itself: the last test runs the schedule by hand.
      backup: { passphrase: undefined, passphraseFile, dir: undefined, hour: 2, keep: 2 },
    });
    // The server's own folder, started from the migrated snapshot.
    const db = await openDatabase({
      engine: 'embedded',
      dir: path.join(dataDir, 'pgdata'),
      snapshot: new Blob([readFileSync(inject('snapshotPath'))]),
    });
    // The server's warnings and errors go to the test run's output: a failure while a backup
    // runs (a concern's 500, a backup refused) is then explained, not only counted.
    const loud = (line: string) => {
      if (/"level":(40|50)/.test(line)) process.stderr.write(`server: ${line}`);
    };
    services = await createServices(config, { db, log: jsonLog(loud) });
    ({ app } = await appFor(services, loud));
    stopBackups = await startEmbeddedBackups(services);
  });

  afterAll(async () => {
    await stopWriter();
    await stopBackups?.();
    await app?.close();
    await services?.db.close();
    await rm(base, { recursive: true, force: true });
  });

  it('backs up while concerns are being written, and restores every acknowledged one', async () => {
    const schoolId = await makeSchool(services);
    const teacher = await makeUser(services, schoolId, 'teacher');
    const session: Session = await signIn(app, teacher);
    const pupil = await makePupil(services, schoolId);
    const [category] = await categoryIds(services, schoolId);
    const acked: { id: string; at: number; body: string }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const body = `Backup test concern ${i}: came in upset, bruise on the left arm.`;
        const res = await call(app, session, 'POST', '/api/concerns', {
          pupils: [{ pupilId: pupil.id, role: 'subject' }],
          categoryIds: [category!.id],
          happenedAt: new Date(Date.now() - 60_000).toISOString(),
          location: 'Classroom',
          body,
        });
        expect(res.statusCode, res.body).toBe(201);
        acked.push({ id: res.json<{ id: string }>().id, at: Date.now(), body });
      }
    })();
    stopWriter = async () => {
      writing = false;
      await writer.catch(() => undefined);
    };
    // A writer that stopped on a failed request fails the test at once with that request's
    // answer, instead of leaving the waits below to run into the test's time limit.
    let writerEnded = false;
    void writer.then(
      () => (writerEnded = true),
      () => (writerEnded = true),
    );
    const until = async (n: number) => {
      while (acked.length < n) {
        if (writerEnded) await writer;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(15);
    const asked = Date.now();
    backupFile = path.join(base, 'backups', 'one.lantern-backup');
    mkdirSync(path.dirname(backupFile));
    const backup = await lantern(['backup', '--out', backupFile], env);
    const afterBackup = acked.length;
    await until(afterBackup + 5);
    writing = false;
    await writer;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/The running server wrote the backup/);
    const raw = readFileSync(backupFile);
    expect(raw.subarray(0, 8).toString('ascii')).toBe('LANTBKUP');
    // Encrypted: not a tar, and no record text or the master key anywhere in it.
    expect(raw.includes(Buffer.from('ustar'))).toBe(false);
    expect(raw.includes(Buffer.from('Backup test concern'))).toBe(false);
    expect(raw.includes(Buffer.from(services.config.masterKey!, 'base64'))).toBe(false);

    const restoredDir = path.join(base, 'restored');
    const restored = await lantern(['restore', backupFile, '--data-dir', restoredDir], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Restored \d+ schools/);

    const copy = await openDatabase({ engine: 'embedded', dir: path.join(restoredDir, 'pgdata') });
    try {
      const rows = (db: Database) =>
        unsafeAsOwner(db, (q) =>
          q.query<{ id: string; body: Buffer; recorded_at: Date }>(
            'SELECT id, body, recorded_at FROM concerns WHERE school_id = $1 ORDER BY id',
            [schoolId],
          ),
        );
      const live = new Map((await rows(services.db)).map((r) => [r.id, r]));
      const back = await rows(copy);
      const ids = new Set(back.map((r) => r.id));
      const before = acked.filter((a) => a.at < asked);
      expect(before.length).toBeGreaterThanOrEqual(15);
      for (const a of before) expect(ids.has(a.id), a.id).toBe(true);
      // Only whole, acknowledged concerns, identical to the live rows; none written after it.
      expect(back.length).toBeLessThan(acked.length);
      for (const r of back) {
        expect(Buffer.from(r.body).equals(Buffer.from(live.get(r.id)!.body))).toBe(true);
        expect(r.recorded_at.getTime()).toBe(live.get(r.id)!.recorded_at.getTime());
      }
      const audit = await verifyAudit(copy);
      expect(audit.breaks).toEqual([]);
      expect(audit.entries).toBeGreaterThan(before.length);
      // The restored records open with the installation's master key, through the API, for the
      // session signed in before the backup.
      const again = await createServices(services.config, { db: copy, log: silentLog });
      const { app: restoredApp } = await appFor(again);
      try {
        const read = await call(restoredApp, session, 'GET', `/api/concerns/${before[3]!.id}`);
        expect(read.statusCode, read.body).toBe(200);
        expect(read.json<{ body: string }>().body).toBe(before[3]!.body);
      } finally {
        await restoredApp.close();
      }
    } finally {
      await copy.close();
    }
    // A limit against a hang, not a speed target: this case took 63 s and 102 s on a loaded machine.
  }, 400_000);

  it('refuses a wrong passphrase, a flipped byte and a non-empty folder, writing nothing', async () => {
    const target = path.join(base, 'never');
    const wrong = await lantern(['restore', backupFile, '--data-dir', target], {
      ...env,
      LANTERN_BACKUP_PASSPHRASE: 'not-the-right-passphrase-at-all',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(UNREADABLE);
    expect(existsSync(target)).toBe(false);

    const damaged = path.join(base, 'backups', 'damaged.lantern-backup');
    const bytes = readFileSync(backupFile);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(damaged, bytes);
    const flipped = await lantern(['restore', damaged, '--data-dir', target], env);
    expect(flipped.code).toBe(1);
    expect(flipped.stderr).toMatch(UNREADABLE);
    expect(existsSync(target)).toBe(false);

    const occupied = path.join(base, 'occupied');
    mkdirSync(occupied);
    writeFileSync(path.join(occupied, 'keep.txt'), 'mine');
    const full = await lantern(['restore', backupFile, '--data-dir', occupied], env);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(
      /is not empty: a backup is restored only into a new, empty data folder/,
    );
    expect(readdirSync(occupied)).toEqual(['keep.txt']);

    const over = await lantern(['backup', '--out', backupFile], env);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/exists: choose a new file name/);
  }, 120_000);

  it('takes the scheduled backup once at the set hour and keeps the newest', async () => {
    const dir = path.join(base, 'scheduled');
    const now = new Date();
    const config = {
      ...services.config,
      backup: { ...services.config.backup, dir, hour: now.getHours(), keep: 2 },
    };
    // Three older ones and someone else's file already there.
    mkdirSync(dir);
    for (const old of ['lantern-20200101-0200', 'lantern-20200102-0200', 'lantern-20200103-0200'])
      writeFileSync(path.join(dir, `${old}.lantern-backup`), 'old');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    expect(
      await runScheduledBackup(services.db, config, new Date(now.getTime() + 3_600_000)),
    ).toBeNull(); // not the hour
    const first = await runScheduledBackup(services.db, config, now);
    expect(first).not.toBeNull();
    expect(await runScheduledBackup(services.db, config, now)).toBeNull(); // once a day
    expect(readdirSync(dir).sort()).toEqual(
      ['lantern-20200103-0200.lantern-backup', path.basename(first!), 'notes.txt'].sort(),
    );
    expect(readFileSync(first!).subarray(0, 8).toString('ascii')).toBe('LANTBKUP');
  });
});
