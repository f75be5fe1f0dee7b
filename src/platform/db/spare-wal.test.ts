// The embedded backup without spare WAL (db/spare-wal.ts, issue 16): after many writes — enough
// that PostgreSQL has recycled segments ahead of the one it writes — a backup leaves out every
// segment outside the range PostgreSQL says it needs (asked in the copy's own turn), reads the
// copy in pieces of a fixed size, is smaller than the data folder, and restores into a database that opens with every record,
// an audit chain that verifies and records that decrypt through the API. Records written after
// the spare segments were made (so in the segment being written) are there too. Embedded only.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isEmbedded, openDatabase } from './engine.ts';
import { unsafeAsOwner } from './tenancy.ts';
import { createServices, type Services } from '../services.ts';
import { verifyAudit } from '../audit/verify.ts';
import { BACKUP_CHUNK_BYTES, chunksOf, snapshotStream, snapshotTar } from '../backup/embedded.ts';
import { readBackupFile, writeBackupFile } from '../backup/backup-file.ts';
import { withoutSpareWal } from './spare-wal.ts';
import type { App } from '../../core/feature.ts';
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
} from '../../test/harness.ts';

const embedded = inject('engine') === 'embedded';
let base: string;
let services: Services;
let app: App;

/** Bytes under a folder. */
function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

describe.skipIf(!embedded)('the embedded backup leaves out spare WAL (embedded)', () => {
  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'lantern-wal-'));
    const db = await openDatabase({
      engine: 'embedded',
      dir: path.join(base, 'pgdata'),
      snapshot: new Blob([readFileSync(inject('snapshotPath'))]),
    });
    const config = testConfig({
      dataDir: base,
      backup: {
        passphrase: randomBytes(18).toString('base64url'),
        passphraseFile: undefined,
        dir: undefined,
        hour: 2,
        keep: 2,
      },
    });
    services = await createServices(config, { db, log: silentLog });
    ({ app } = await appFor(services));
  });

  afterAll(async () => {
    await app?.close();
    await services?.db.close();
    await rm(base, { recursive: true, force: true });
  });

  it('restores, verifies and decrypts after many writes, from a file smaller than the folder', async () => {
    const schoolId = await makeSchool(services);
    const teacher = await makeUser(services, schoolId, 'teacher');
    const session: Session = await signIn(app, teacher);
    const pupil = await makePupil(services, schoolId);
    const [category] = await categoryIds(services, schoolId);
    const logged: { id: string; body: string }[] = [];
    const log = async (i: number) => {
      const body = `WAL test concern ${i}: said they had not eaten since yesterday.`;
      const res = await call(app, session, 'POST', '/api/concerns', {
        pupils: [{ pupilId: pupil.id, role: 'subject' }],
        categoryIds: [category!.id],
        happenedAt: new Date(Date.now() - 60_000).toISOString(),
        body,
      });
      expect(res.statusCode, res.body).toBe(201);
      logged.push({ id: res.json<{ id: string }>().id, body });
    };
    for (let i = 0; i < 5; i++) await log(i);
    // Many writes: about 100 MB of WAL over several checkpoints, so PostgreSQL recycles the
    // segments it has finished with into spare ones ahead of the one it writes.
    for (let round = 0; round < 5; round++) {
      await services.db.exec(`CREATE TABLE IF NOT EXISTS wal_filler (t text);
        INSERT INTO wal_filler SELECT repeat(md5(g::text), 30) FROM generate_series(1, 20000) g;
        DELETE FROM wal_filler; CHECKPOINT;`);
    }
    await services.db.exec('DROP TABLE wal_filler; CHECKPOINT');
    for (let i = 5; i < 10; i++) await log(i);

    // The copy: spare segments (after the one written now, or before the last checkpoint's
    // redo point) are in the folder, not in it. Which are needed, PostgreSQL says in the
    // copy's own turn (engine.ts, backupSnapshot).
    const walDir = path.join(base, 'pgdata', 'pg_wal');
    if (!isEmbedded(services.db)) throw new Error('embedded only');
    const { tar: full, wal } = await services.db.backupSnapshot();
    expect(wal.first <= wal.last).toBe(true);
    const spare = readdirSync(walDir).filter(
      (f) => /^[0-9A-F]{24}$/.test(f) && (f < wal.first || f > wal.last),
    );
    expect(spare.length).toBeGreaterThan(0);
    const cut = await withoutSpareWal(full, wal);
    expect(cut.leftOut.sort()).toEqual(spare.sort());
    expect(cut.tar.size).toBe(full.size - cut.bytesLeftOut);
    expect((await snapshotTar(services.db)).tar.size).toBeLessThan(
      folderBytes(path.join(base, 'pgdata')),
    );
    // Read in pieces of a fixed size, however many files the copy holds (embedded.ts, chunksOf):
    // the copy of hundreds of small files is not hundreds of turns of the event loop.
    const pieces: Uint8Array[] = [];
    for await (const piece of chunksOf(cut.tar)) pieces.push(piece);
    expect(pieces.length).toBe(Math.ceil(cut.tar.size / BACKUP_CHUNK_BYTES));
    expect(Buffer.concat(pieces).equals(Buffer.from(await cut.tar.arrayBuffer()))).toBe(true);

    // The backup file, as `lantern backup` writes it, and a restore into a new folder.
    const file = path.join(base, 'one.lantern-backup');
    await writeBackupFile(
      await snapshotStream(services.db),
      services.config.backup.passphrase!,
      file,
    );
    expect(statSync(file).size).toBeLessThan(folderBytes(path.join(base, 'pgdata')));
    const tar = await readBackupFile(file, services.config.backup.passphrase!);
    const copy = await openDatabase({
      engine: 'embedded',
      dir: path.join(base, 'restored', 'pgdata'),
      snapshot: new Blob([new Uint8Array(tar)]),
    });
    try {
      const ids = await unsafeAsOwner(copy, (q) =>
        q.query<{ id: string }>('SELECT id FROM concerns WHERE school_id = $1', [schoolId]),
      );
      expect(new Set(ids.map((r) => r.id))).toEqual(new Set(logged.map((l) => l.id)));
      const audit = await verifyAudit(copy);
      expect(audit.breaks).toEqual([]);
      expect(audit.entries).toBeGreaterThan(logged.length);
      // Writing goes on in the restored database (its WAL continues where the copy's ended).
      await copy.exec(
        'CREATE TABLE after_restore (n int); INSERT INTO after_restore VALUES (1); CHECKPOINT',
      );
      const again = await createServices(services.config, { db: copy, log: silentLog });
      const { app: restoredApp } = await appFor(again);
      try {
        for (const l of [logged[0]!, logged[9]!]) {
          const read = await call(restoredApp, session, 'GET', `/api/concerns/${l.id}`);
          expect(read.statusCode, read.body).toBe(200);
          expect(read.json<{ body: string }>().body).toBe(l.body);
        }
      } finally {
        await restoredApp.close();
      }
    } finally {
      await copy.close();
    }
  }, 240_000);

  it('refuses a segment name that is not one, and a range that runs backwards', async () => {
    await expect(
      withoutSpareWal(new Blob([]), { first: '000000010000000000000001', last: 'pg_wal/../x' }),
    ).rejects.toThrow(/not a WAL segment name/);
    await expect(
      withoutSpareWal(new Blob([]), {
        first: '000000010000000000000003',
        last: '000000010000000000000002',
      }),
    ).rejects.toThrow(/not a range/);
  });
});
