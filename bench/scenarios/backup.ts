// Backups and restores at the size of the benchmark school (issue 16): 2,000 pupils and N
// concerns (default 200,000), sealed and indexed as the API stores them (records.ts).
// Embedded: `lantern backup`'s path (a consistent copy, AES-256-GCM under an argon2id key) and
// `lantern restore`'s (decrypt, check, load into a new folder), timed, with the file's size.
// PostgreSQL: the restore drill (scripts/ops/restore-drill.ts) on a throwaway cluster seeded
// with the same school: pgBackRest's full and incremental backups (time, repository size), the
// point-in-time restore and RTO, and RPO. Needs root (or the postgres user) and Debian's
// pgbackrest and postgresql-15; it makes its own cluster, so DATABASE_URL is not used.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/platform/db/engine.ts';
import { unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { backupEmbeddedTo } from '../../src/platform/backup/embedded.ts';
import { readBackupFile } from '../../src/platform/backup/backup-file.ts';
import { verifyAudit } from '../../src/platform/audit/verify.ts';
import { CURRENT_SEGMENT_SQL, withoutSpareWal } from '../../src/platform/db/spare-wal.ts';
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
    };
    // What the folder's copy holds, and what of it is spare WAL a backup leaves out (spare-wal.ts).
    const whole = await (
      b.services.db as unknown as { backupSnapshot(): Promise<Blob> }
    ).backupSnapshot();
    const [now] = await b.services.db.query<{ segment: string }>(CURRENT_SEGMENT_SQL);
    const spare = await withoutSpareWal(whole, now!.segment);
    const file = path.join(dir, 'bench.lantern-backup');
    const t1 = Date.now();
    await backupEmbeddedTo(b.services.db, config, file);
    const backupMs = Date.now() - t1;
    const size = statSync(file).size;
    const t2 = Date.now();
    const tar = await readBackupFile(file, 'bench-backup-passphrase-1234');
    const decryptMs = Date.now() - t2;
    const db = await openDatabase({
      engine: 'embedded',
      dir: path.join(dir, 'restored', 'pgdata'),
      snapshot: new Blob([new Uint8Array(tar)]),
    });
    const [row] = await unsafeAsOwner(db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns'),
    );
    const restoreMs = Date.now() - t2;
    // The restored copy is the database: every record, and an audit chain that verifies.
    const v0 = Date.now();
    const audit = await verifyAudit(db);
    const verifyMs = Date.now() - v0;
    await db.close();
    if (row?.n !== n) throw new Error(`restored ${row?.n} concerns of ${n}`);
    if (audit.breaks.length > 0)
      throw new Error(`restored audit chain broken: ${audit.breaks[0]!.problem}`);
    return [
      `embedded ${PUPILS} pupils, ${n} concerns (seeded in ${s(seeded)})`,
      `embedded data folder's copy ${mb(whole.size)}, of which spare WAL ${mb(spare.bytesLeftOut)} (${spare.leftOut.length} segments past ${now!.segment}), which snapshotTar would leave out`,
      `embedded backup   ${s(backupMs)}  file ${mb(size)} (lantern backup's path: the consistent copy + AES-256-GCM, argon2id key)`,
      `embedded restore  ${s(restoreMs)}  (decrypt and check ${s(decryptMs)}, then load into a new folder); ${row.n} concerns, audit verify ${audit.entries} entries 0 broken in ${s(verifyMs)}`,
      `embedded machine load (1/5/15 min) ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    ];
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
