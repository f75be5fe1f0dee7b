// The embedded engine's backup without its spare WAL (issue 16). PostgreSQL keeps WAL segments
// ahead of the one it is writing: old segments renamed for reuse at a checkpoint, and segments
// made in advance. They hold nothing the database needs (recovery replays from the last
// checkpoint's redo point and ends at the first segment that is missing or holds no valid
// record), yet at 200,000 records they were most of PGlite's data folder: 1.4 GB of which the
// database was a third. A backup keeps the segments from the one holding the last checkpoint's
// redo point to the one being written, and leaves out every other.
//
// Which segments are needed is what PostgreSQL itself says (WAL_NEEDED_SQL: pg_control's redo
// point and the insert position), asked in the same turn on the one connection as the copy is
// taken (engine.ts, backupSnapshot), after its CHECKPOINT: nothing can be written between the
// answer and the copy, so the answer is exactly the copy's. Never decide it from a listing of
// pg_wal or from a question asked in another transaction.
//
// What this protects: a restored database must be the database. To change safely: never leave
// out a segment from `first` to `last`; keep spare-wal.test.ts (a backup after many writes
// restores, its audit chain verifies and its records decrypt) and backup-command.test.ts (a
// backup while concerns are written without pause) passing.
//
// The copy is PGlite's uncompressed tar (POSIX ustar). Only each entry's header is read here —
// its name and size — and entries are kept or left out whole; nothing in a kept entry is
// rewritten, and the result is built from slices of the original, so nothing is copied. The
// entries kept side by side are one slice, so the result is a few parts, not one per file (it is
// read in fixed pieces anyway: embedded.ts, chunksOf).

const BLOCK = 512;
/** A WAL segment's file: timeline, log and segment, 8 hex digits each. */
const SEGMENT = /(?:^|\/)pg_wal\/([0-9A-F]{24})$/;

/**
 * The WAL segments recovery needs, as PostgreSQL says: `first` holds the last checkpoint's redo
 * point (pg_control), `last` the insert position. `+ 1`: at a segment's very first byte,
 * pg_walfile_name names the segment before it; one byte on, it names the one the next record
 * goes into. Ask it after the CHECKPOINT and in the same turn as the copy (engine.ts).
 */
export const WAL_NEEDED_SQL = `SELECT redo_wal_file AS first,
  pg_walfile_name(pg_current_wal_insert_lsn() + 1) AS last FROM pg_control_checkpoint()`;

/** The first and last WAL segment a copy needs (file names, timeline first). */
export type WalNeeded = { first: string; last: string };

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
 * The tar `tar` without the WAL segments outside `needed`. Entries that describe the next one
 * (pax 'x', GNU long name 'L' or 'K') are kept or left out with it. The result is one slice of
 * the original for each run of entries kept side by side.
 */
export async function withoutSpareWal(tar: Blob, needed: WalNeeded): Promise<SpareWal> {
  for (const name of [needed.first, needed.last]) {
    if (!/^[0-9A-F]{24}$/.test(name)) throw new Error(`not a WAL segment name: ${name}`);
  }
  if (needed.first > needed.last) {
    throw new Error(`WAL segment ${needed.first} is after ${needed.last}: not a range`);
  }
  const parts: Blob[] = [];
  const leftOut: string[] = [];
  let bytesLeftOut = 0;
  let at = 0;
  let pending = 0; // where the describing entries of the next real entry began
  let kept = 0; // where the run of entries kept side by side began
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
    if (
      segment !== undefined &&
      type !== '5' &&
      (segment < needed.first || segment > needed.last)
    ) {
      if (pending > kept) parts.push(tar.slice(kept, pending));
      leftOut.push(segment);
      bytesLeftOut += end - pending;
      kept = end;
    }
    at = end;
    pending = end;
  }
  parts.push(tar.slice(kept));
  return { tar: new Blob(parts), leftOut, bytesLeftOut };
}
