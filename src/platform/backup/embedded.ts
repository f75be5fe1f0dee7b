// Backups of the embedded engine while Lantern runs (issue 16). PGlite is one process's: the CLI
// cannot open a data folder the server holds. So the server makes every backup itself — on its
// schedule, and when `lantern backup` asks over a Unix socket in the data folder. The socket is
// made readable and writable by its owner only (the same trust as the data folder's files: who
// can open it could read the database anyway); it answers one request, "backup", with "OK" and
// the encrypted file's bytes, or "ERR" and a message. The plaintext never leaves the server.
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  unlinkSync,
} from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../../config.ts';
import type { Database } from '../db/engine.ts';
import { isEmbedded } from '../db/engine.ts';
import { encryptBackup, readBackupFile, writeBackupFile } from './backup-file.ts';
import { readBackupPassphrase } from './passphrase.ts';
import { withoutSpareWal, type SpareWal } from '../db/spare-wal.ts';

export const backupSocketPath = (dataDir: string) => path.join(dataDir, 'backup.sock');

/**
 * The embedded database's consistent copy, as tar bytes, without the WAL segments recovery does
 * not need (db/spare-wal.ts: most of the folder at size), as PostgreSQL said in the same turn
 * as the copy was taken.
 */
export async function snapshotTar(db: Database): Promise<SpareWal> {
  if (!isEmbedded(db)) throw new Error('Only the embedded engine is backed up this way.');
  const { tar, wal } = await db.backupSnapshot();
  return withoutSpareWal(tar, wal);
}

/** Bytes a backup is read in: each piece is a turn of the event loop. */
export const BACKUP_CHUNK_BYTES = 4 * 1_048_576;

/**
 * `blob`'s bytes in pieces of BACKUP_CHUNK_BYTES. Streamed with blob.stream(), a Blob made of
 * slices gives one piece per slice, each a turn of the event loop. Measured (40 MB Blob of 5,000
 * slices through the AES-GCM transform): written to a file, 5,383 turns became 53 — this is what
 * the pieces fix, for scheduled backups and the CLI with no server. Sent to a Unix socket read by
 * another process, blob.stream() took 130 turns and these pieces 172: there the turns follow the
 * socket's buffer, not the slicing, so this does not explain why backup-command.test.ts once
 * timed out on the socket path; that timeout is not explained. The 500 that followed is: the
 * test's teardown closed PGlite under its still-running writer (PGlite's "closed" check).
 */
export async function* chunksOf(blob: Blob): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < blob.size; at += BACKUP_CHUNK_BYTES) {
    yield new Uint8Array(await blob.slice(at, at + BACKUP_CHUNK_BYTES).arrayBuffer());
  }
}

/** The embedded database's consistent copy, without spare WAL, as a stream of tar bytes. */
export async function snapshotStream(db: Database): Promise<Readable> {
  return Readable.from(chunksOf((await snapshotTar(db)).tar));
}

/** Writes one encrypted backup of `db` to `file` (never over an existing file). */
export async function backupEmbeddedTo(db: Database, config: Config, file: string): Promise<void> {
  const passphrase = readBackupPassphrase(config, path.dirname(file));
  await writeBackupFile(await snapshotStream(db), passphrase, file);
}

/** The server's side of the socket. Returns a function that closes it. */
export async function serveBackupSocket(
  db: Database,
  config: Config,
  log: { warn(m: string): void },
): Promise<() => Promise<void>> {
  const file = backupSocketPath(config.dataDir);
  if (existsSync(file)) {
    if (await answers(file)) {
      throw new Error(
        `Another Lantern server holds ${config.dataDir} (its backup socket answers): stop it first.`,
      );
    }
    unlinkSync(file);
  }
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      if (first.toString('utf8').trim() !== 'backup') {
        socket.end('ERR unknown request\n');
        return;
      }
      void (async () => {
        let started = false;
        try {
          const passphrase = readBackupPassphrase(config);
          const plain = await snapshotStream(db);
          socket.write('OK\n');
          started = true;
          await encryptBackup(plain, passphrase, socket);
        } catch (err) {
          log.warn(`A backup asked for over the socket failed: ${(err as Error).message}`);
          // Once "OK" is sent, the bytes are the file's: a failure cuts the connection (the
          // client then refuses the file, which also fails its check), never appends text to it.
          if (socket.destroyed) return;
          if (started) socket.destroy();
          else socket.end(`ERR ${(err as Error).message}\n`);
        }
      })();
    });
    socket.on('error', () => undefined);
  });
  // Made with no access for others from the start (umask), not only after a chmod.
  const umask = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(file, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
}

function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The CLI's side: asks a running server for a backup and writes it to `out`. Resolves false when
 * no server answers (the caller may then open the data folder itself). The file is first written
 * beside `out` and given its name only once the connection ended cleanly and the whole file
 * decrypts under `passphrase` (its GCM tag checks): a backup cut short by a server that stopped,
 * or damaged on the way, is refused, never reported as taken.
 */
export async function requestBackup(
  dataDir: string,
  out: string,
  passphrase: string,
): Promise<boolean> {
  const file = backupSocketPath(dataDir);
  if (!existsSync(file) || !(await answers(file))) return false;
  const tmp = `${out}.partial-${process.pid}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(file);
      let head = Buffer.alloc(0);
      let sink: ReturnType<typeof createWriteStream> | null = null;
      socket.on('error', reject);
      socket.once('connect', () => socket.write('backup\n'));
      socket.on('data', (chunk: Buffer) => {
        if (sink) return;
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(10);
        if (nl < 0) return;
        const line = head.subarray(0, nl).toString('utf8');
        if (!line.startsWith('OK')) {
          socket.destroy();
          reject(new Error(`The server refused the backup: ${line.replace(/^ERR /, '')}`));
          return;
        }
        socket.pause();
        socket.removeAllListeners('data');
        sink = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
        sink.write(head.subarray(nl + 1));
        // A connection cut (the server destroyed it, or stopped) is a failure, not an end.
        let cut = false;
        socket.once('close', (hadError) => {
          if (hadError) cut = true;
        });
        socket.once('error', () => {
          cut = true;
        });
        socket.pipe(sink);
        sink.on('finish', () =>
          cut
            ? reject(new Error('The connection to the server was cut during the backup.'))
            : resolve(),
        );
        sink.on('error', reject);
        socket.resume();
      });
      socket.on('end', () => {
        if (!sink) reject(new Error('The server closed the connection without a backup.'));
      });
    });
    // The whole file must open: a short or damaged one fails here, and is not kept.
    try {
      await readBackupFile(tmp, passphrase);
    } catch (err) {
      throw new Error(
        `The backup the server sent is incomplete or damaged, so it was not kept (${(err as Error).message}). Try again.`,
        { cause: err },
      );
    }
    await rename(tmp, out);
    return true;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Scheduled backups' names sort by time: lantern-YYYYMMDD-HHMM.lantern-backup (server time). */
export function scheduledName(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `lantern-${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}.lantern-backup`;
}
const SCHEDULED = /^lantern-\d{8}-\d{4}\.lantern-backup$/;

/** Due when it is the set hour and none was taken today. */
export function backupDue(now: Date, hour: number, existing: string[]): boolean {
  if (now.getHours() !== hour) return false;
  const today = scheduledName(now).slice(0, 'lantern-YYYYMMDD'.length);
  return !existing.some((n) => SCHEDULED.test(n) && n.startsWith(today));
}

/** The scheduled backups past the newest `keep` (others' files in the folder are left alone). */
export function backupsToPrune(existing: string[], keep: number): string[] {
  return existing
    .filter((n) => SCHEDULED.test(n))
    .sort()
    .reverse()
    .slice(keep);
}

/** Takes the scheduled backup if due, then keeps only the newest `keep`. */
export async function runScheduledBackup(
  db: Database,
  config: Config,
  now: Date,
): Promise<string | null> {
  const dir = config.backup.dir;
  if (!dir) return null;
  const existing = existsSync(dir) ? readdirSync(dir) : [];
  if (!backupDue(now, config.backup.hour, existing)) return null;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, scheduledName(now));
  await backupEmbeddedTo(db, config, file);
  for (const old of backupsToPrune([...existing, path.basename(file)], config.backup.keep)) {
    await rm(path.join(dir, old), { force: true });
  }
  return file;
}
