// Backups and restores at the size of the benchmark school (issue 16): 2,000 pupils and N
// concerns (default 200,000), sealed and indexed as the API stores them (records.ts).
// Embedded: `lantern backup`'s path (a consistent copy without spare WAL, AES-256-GCM under an
// argon2id key) and the whole folder's copy beside it, and `lantern restore`'s path (decrypt,
// check, load into a new folder) for each, timed, with the files' sizes.
// PostgreSQL: the restore drill (scripts/ops/restore-drill.ts) on a throwaway cluster seeded
// with the same school: pgBackRest's full and incremental backups (time, repository size), the
// point-in-time restore and RTO, and RPO. Needs root (or the postgres user) and Debian's
// pgbackrest and postgresql-15; it makes its own cluster, so DATABASE_URL is not used.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isEmbedded, openDatabase } from '../../src/platform/db/engine.ts';
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { backupEmbeddedTo, chunksOf } from '../../src/platform/backup/embedded.ts';
import { readBackupFile, writeBackupFile } from '../../src/platform/backup/backup-file.ts';
import { verifyAudit } from '../../src/platform/audit/verify.ts';
import { withoutSpareWal } from '../../src/platform/db/spare-wal.ts';
import { runDrill } from '../../scripts/ops/restore-drill.ts';
import { benchSchool, benchUser, startBench, type Engine } from '../lib.ts';
import { bulkConcerns, pupils as makePupils } from './records.ts';
import { byTenth } from './seeding.ts';

const PUPILS = 2_000;
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function backupBench(engine: Engine, o: { n: number }): Promise<string[]> {
  return engine === 'embedded' ? embedded(o.n) : postgres(o.n);
}

async function embedded(n: number): Promise<string[]> {
  const b = await startBench('embedded');
  const dir = mkdtempSync(path.join(tmpdir(), 'lantern-bench-backup-'));
  try {
    const schoolId = await benchSchool(b);
    const author = await benchUser(b, schoolId, 'teacher');
    const ids = await makePupils(b, schoolId, PUPILS);
    const t0 = Date.now();
    await bulkConcerns(
      b,
      schoolId,
      author.id,
      (i) => ids[i % ids.length]!,
      n,
      byTenth('embedded', n, []),
    );
    const seeded = Date.now() - t0;
    const config = {
      ...b.services.config,
      backup: { ...b.services.config.backup, passphrase: 'bench-backup-passphrase-1234' },
    } as const;
    // Both backups, each timed from the copy to the file's last byte: the whole folder's copy
    // (spare WAL included, as `lantern backup` wrote until issue 16's filter), and `lantern
    // backup`'s own path, which leaves out the WAL segments PostgreSQL does not need.
    const passphrase = config.backup.passphrase;
    const wholeFile = path.join(dir, 'whole.lantern-backup');
    if (!isEmbedded(b.services.db)) throw new Error('embedded only');
    const db = b.services.db;
    // The whole folder's copy is let go once its figures are taken (only this inner function
    // holds it), so the second backup does not run with two copies held at 200,000.
    const whole = await (async () => {
      const w0 = Date.now();
      const { tar, wal } = await db.backupSnapshot();
      await writeBackupFile(Readable.from(chunksOf(tar)), passphrase, wholeFile);
      const ms = Date.now() - w0;
      const spare = await withoutSpareWal(tar, wal);
      return {
        ms,
        size: tar.size,
        spareBytes: spare.bytesLeftOut,
        spareSegments: spare.leftOut.length,
        wal,
      };
    })();
    const file = path.join(dir, 'bench.lantern-backup');
    const t1 = Date.now();
    await backupEmbeddedTo(b.services.db, config, file);
    const backupMs = Date.now() - t1;
    const restoredWhole = await restore(wholeFile, path.join(dir, 'restored-whole'), passphrase);
    await restoredWhole.db.close();
    const restored = await restore(file, path.join(dir, 'restored'), passphrase);
    // The restored copy is the database: every record, and an audit chain that verifies.
    const v0 = Date.now();
    const audit = await verifyAudit(restored.db);
    const verifyMs = Date.now() - v0;
    await restored.db.close();
    for (const r of [restoredWhole, restored]) {
      if (r.concerns !== n) throw new Error(`restored ${r.concerns} concerns of ${n}`);
    }
    if (audit.breaks.length > 0)
      throw new Error(`restored audit chain broken: ${audit.breaks[0]!.problem}`);
    return [
      `embedded ${PUPILS} pupils, ${n} concerns (seeded in ${s(seeded)})`,
      `embedded data folder's copy ${mb(whole.size)}, of which spare WAL ${mb(whole.spareBytes)} (${whole.spareSegments} segments outside ${whole.wal.first}..${whole.wal.last}, as PostgreSQL said in the copy's turn)`,
      `embedded backup without spare WAL (lantern backup)  ${s(backupMs)}  file ${mb(statSync(file).size)}`,
      `embedded backup of the whole folder (before)        ${s(whole.ms)}  file ${mb(statSync(wholeFile).size)}`,
      `embedded restore without spare WAL  ${s(restored.ms)}  (decrypt and check ${s(restored.decryptMs)}, then load into a new folder); ${restored.concerns} concerns, audit verify ${audit.entries} entries 0 broken in ${s(verifyMs)}`,
      `embedded restore of the whole folder ${s(restoredWhole.ms)}  (decrypt and check ${s(restoredWhole.decryptMs)}); ${restoredWhole.concerns} concerns`,
      `embedded machine load (1/5/15 min) ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    ];
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `lantern restore`'s path, timed: decrypt and check the file, then open it in a new folder. */
async function restore(file: string, into: string, passphrase: string) {
  const t0 = Date.now();
  const tar = await readBackupFile(file, passphrase);
  const decryptMs = Date.now() - t0;
  const db = await openDatabase({
    engine: 'embedded',
    dir: path.join(into, 'pgdata'),
    snapshot: new Blob([new Uint8Array(tar)]),
  });
  const [row] = await unsafeAsOwner(db, (q) =>
    q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns'),
  );
  return { db, concerns: row?.n, ms: Date.now() - t0, decryptMs };
}

async function postgres(n: number): Promise<string[]> {
  const lines: string[] = [];
  const r = await runDrill({
    pupils: PUPILS,
    seconds: 12,
    clients: 4,
    archiveTimeout: 30,
    port: 54332,
    log: (l) => lines.push(`postgres ${l}`),
    seed: (services, schoolId, authorId, pupilIds) =>
      bulkConcerns({ services }, schoolId, authorId, (i) => pupilIds[i % pupilIds.length]!, n),
  });
  if (!r.ok) lines.push('postgres DRILL FAILED: see the checks above');
  return lines;
}
