// The embedded engine's backup without its spare WAL (issue 16). PostgreSQL keeps WAL segments
// ahead of the one it is writing: old segments renamed for reuse at a checkpoint, and segments
// made in advance. They hold nothing the database needs (recovery replays from the last
// checkpoint and ends at the first segment that is missing or holds no valid record), yet at
// 200,000 records they were most of PGlite's data folder: 1.4 GB of which the database was a
// third. A backup leaves out every segment named after the one being written when the copy was
// made; it keeps that one and every one before it.
//
// NOT wired into `lantern backup`: with it (snapshotTar) in the live path,
// src/cli/backup-command.test.ts (a backup over the socket while concerns are written without
// pause) saw a concern request fail with a 500 and timed out; the cause was not found, so
// `lantern backup` writes the whole folder, spare WAL included (backup/embedded.ts,
// snapshotStream). Only spare-wal.test.ts uses this path.
//
// What this protects: a restored database must be the database. To change safely: never leave
// out a segment at or before `current` (ask for `current` after the copy is taken, never before:
// the write position only moves on, so a later answer can only keep more); keep
// spare-wal.test.ts passing (a backup after many writes restores, its audit chain verifies and
// its records decrypt).
//
// The copy is PGlite's uncompressed tar (POSIX ustar). Only each entry's header is read here —
// its name and size — and entries are kept or left out whole; nothing in a kept entry is
// rewritten, and the result is built from slices of the original, so nothing is copied.

const BLOCK = 512;
/** A WAL segment's file: timeline, log and segment, 8 hex digits each. */
const SEGMENT = /(?:^|\/)pg_wal\/([0-9A-F]{24})$/;

/** The segment file name PostgreSQL is writing now (pg_walfile_name of the write position). */
export const CURRENT_SEGMENT_SQL = 'SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment';

export type SpareWal = { tar: Blob; leftOut: string[]; bytesLeftOut: number };

function text(bytes: Uint8Array, from: number, length: number): string {
  const field = bytes.subarray(from, from + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function sizeOf(header: Uint8Array): number {
  // Base-256 sizes (first byte's high bit set) are for entries over 8 GiB: none in a data folder.
  if ((header[124]! & 0x80) !== 0) throw new Error('backup copy: an entry over 8 GiB');
  const octal = text(header, 124, 12).trim();
  const n = octal === '' ? 0 : parseInt(octal, 8);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('backup copy: an unreadable entry size');
  return n;
}

/**
 * The tar `tar` without the WAL segments named after `current` (a pg_walfile_name). Entries that
 * describe the next one (pax 'x', GNU long name 'L' or 'K') are kept or left out with it.
 */
export async function withoutSpareWal(tar: Blob, current: string): Promise<SpareWal> {
  if (!/^[0-9A-F]{24}$/.test(current)) throw new Error(`not a WAL segment name: ${current}`);
  const parts: Blob[] = [];
  const leftOut: string[] = [];
  let bytesLeftOut = 0;
  let at = 0;
  let pending = 0; // where the describing entries of the next real entry began
  while (at + BLOCK <= tar.size) {
    const header = new Uint8Array(await tar.slice(at, at + BLOCK).arrayBuffer());
    if (header.every((b) => b === 0)) break; // the end: two empty blocks (kept below)
    const type = String.fromCharCode(header[156]!);
    const end = at + BLOCK + Math.ceil(sizeOf(header) / BLOCK) * BLOCK;
    if (end > tar.size) throw new Error('backup copy: an entry runs past the end');
    if (type === 'x' || type === 'L' || type === 'K') {
      at = end;
      continue;
    }
    const prefix = text(header, 345, 155);
    const name =
      (text(header, 257, 6) === 'ustar' && prefix ? `${prefix}/` : '') + text(header, 0, 100);
    const segment = SEGMENT.exec(name)?.[1];
    if (segment !== undefined && type !== '5' && segment > current) {
      leftOut.push(segment);
      bytesLeftOut += end - pending;
    } else {
      parts.push(tar.slice(pending, end));
    }
    at = end;
    pending = end;
  }
  parts.push(tar.slice(pending));
  return { tar: new Blob(parts), leftOut, bytesLeftOut };
}
