// The embedded backup without spare WAL (db/spare-wal.ts, issue 16): after many writes — enough
// that PostgreSQL has recycled segments ahead of the one it writes — a backup leaves out every
// segment outside the range PostgreSQL says it needs (asked in the copy's own turn), reads the
// copy in pieces of a fixed size, keeps every segment in the range, is smaller than the data
// folder, and restores into a database that opens with every record, an audit chain that
// verifies and records that decrypt through the API. Records written after the spare segments
// were made (so in the segment being written) are there too. Embedded only; the filter itself
// is also tested on a hand-made tar (any engine).
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

type Entry = { name: string; type?: string; body?: Uint8Array<ArrayBuffer> };

/** A POSIX ustar archive of `entries`, as PGlite's dumpTar writes one (names up to 100 bytes). */
function ustar(entries: Entry[]): Blob {
  const blocks: Uint8Array<ArrayBuffer>[] = [];
  for (const { name, type = '0', body = new Uint8Array() } of entries) {
    const h = new Uint8Array(512);
    const put = (at: number, v: string) => h.set(new TextEncoder().encode(v), at);
    put(0, name);
    put(100, '0000644\0');
    put(108, '0000000\0');
    put(116, '0000000\0');
    put(124, body.length.toString(8).padStart(11, '0') + '\0');
    put(136, '00000000000\0');
    put(148, '        ');
    put(156, type);
    put(257, 'ustar\0');
    put(263, '00');
    put(
      148,
      h
        .reduce((a, b) => a + b, 0)
        .toString(8)
        .padStart(6, '0') + '\0 ',
    );
    blocks.push(h, body, new Uint8Array((512 - (body.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return new Blob(blocks);
}

/** The entries of a ustar archive: name (with its prefix) and body. */
async function entriesOf(tar: Blob): Promise<{ name: string; type: string; body: Buffer }[]> {
  const bytes = Buffer.from(await tar.arrayBuffer());
  const out: { name: string; type: string; body: Buffer }[] = [];
  const field = (from: number, n: number) => {
    const f = bytes.subarray(from, from + n);
    const end = f.indexOf(0);
    return f.subarray(0, end < 0 ? n : end).toString('utf8');
  };
  for (let at = 0; at + 512 <= bytes.length;) {
    if (bytes.subarray(at, at + 512).every((b) => b === 0)) break;
    const size = parseInt(field(at + 124, 12).trim() || '0', 8);
    const prefix = field(at + 345, 155);
    out.push({
      name: (prefix ? `${prefix}/` : '') + field(at, 100),
      type: String.fromCharCode(bytes[at + 156]!),
      body: bytes.subarray(at + 512, at + 512 + size),
    });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
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
    const needed = readdirSync(walDir).filter(
      (f) => /^[0-9A-F]{24}$/.test(f) && f >= wal.first && f <= wal.last,
    );
    expect(needed).toContain(wal.first);
    const cut = await withoutSpareWal(full, wal);
    expect(cut.leftOut.sort()).toEqual(spare.sort());
    // Every segment from `first` to `last` on disk is in the copy, and no spare one is.
    const inCopy = (await entriesOf(cut.tar))
      .map((e) => /(?:^|\/)pg_wal\/([0-9A-F]{24})$/.exec(e.name)?.[1])
      .filter((n) => n !== undefined);
    expect(inCopy.sort()).toEqual(needed.sort());
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

describe('withoutSpareWal on a hand-made tar', () => {
  const seg = (n: number) =>
    `000000010000000000000${n.toString(16).toUpperCase().padStart(3, '0')}`;
  const body = (n: number, size: number) => new Uint8Array(size).fill(n);

  it('keeps the range and every other file, and leaves out the segments before and after it', async () => {
    const pax = (n: number) => ({
      name: `PaxHeader/${seg(n)}`,
      type: 'x',
      body: new TextEncoder().encode('13 mtime=123\n'),
    });
    const entries: Entry[] = [
      { name: 'PG_VERSION', body: new TextEncoder().encode('17\n') },
      { name: 'base/1/1259', body: body(9, 1300) },
      { name: 'pg_wal/', type: '5' },
      { name: `pg_wal/${seg(1)}`, body: body(1, 700) }, // before
      pax(2),
      { name: `pg_wal/${seg(2)}`, body: body(2, 512) }, // before, with its pax header
      { name: `pg_wal/${seg(3)}`, body: body(3, 600) }, // first
      pax(4),
      { name: `pg_wal/${seg(4)}`, body: body(4, 1024) }, // inside, with its pax header
      { name: `pg_wal/${seg(5)}`, body: body(5, 100) }, // last
      { name: `pg_wal/${seg(2)}.partial`, body: body(6, 50) },
      { name: 'pg_wal/00000002.history', body: new TextEncoder().encode('1\t0/3000000\tx\n') },
      { name: 'pg_wal/archive_status/', type: '5' },
      { name: `pg_wal/archive_status/${seg(1)}.done` },
      { name: `pg_wal/${seg(6)}`, body: body(7, 800) }, // after
      { name: 'global/pg_control', body: body(8, 8192) },
      pax(7),
      { name: `pg_wal/${seg(7)}`, body: body(10, 300) }, // after, with its pax header
    ];
    const tar = ustar(entries);
    const cut = await withoutSpareWal(tar, { first: seg(3), last: seg(5) });

    expect(cut.leftOut).toEqual([seg(1), seg(2), seg(6), seg(7)]);
    const gone = new Set([1, 2, 6, 7].map((n) => `pg_wal/${seg(n)}`));
    const goneToo = new Set([2, 7].map((n) => `PaxHeader/${seg(n)}`));
    const kept = entries.filter((e) => !gone.has(e.name) && !goneToo.has(e.name));
    // The kept entries, whole and in order, with the archive's end: exactly the tar of them.
    expect(Buffer.from(await cut.tar.arrayBuffer())).toEqual(
      Buffer.from(await ustar(kept).arrayBuffer()),
    );
    expect((await entriesOf(cut.tar)).map((e) => e.name)).toEqual(kept.map((e) => e.name));
    expect(cut.bytesLeftOut).toBe(tar.size - cut.tar.size);
    expect(cut.bytesLeftOut).toBe(
      (await ustar(entries.filter((e) => gone.has(e.name) || goneToo.has(e.name))).arrayBuffer())
        .byteLength - 1024,
    );
  });

  it('leaves out nothing when every segment is in the range', async () => {
    const tar = ustar([
      { name: `pg_wal/${seg(3)}`, body: body(3, 10) },
      { name: `pg_wal/${seg(4)}`, body: body(4, 10) },
    ]);
    const cut = await withoutSpareWal(tar, { first: seg(3), last: seg(4) });
    expect(cut.leftOut).toEqual([]);
    expect(Buffer.from(await cut.tar.arrayBuffer())).toEqual(Buffer.from(await tar.arrayBuffer()));
  });
});
