// Where a feed's files are read from. The readers never open paths themselves: they ask a
// FeedFolder for a file's bytes, so a feed arriving over the network need never be written to disk
// in clear (issue 11, finding 9). An operator's own folder (the CLI) is read from disk as it is;
// a pushed body is read from memory (memoryFolder); a pulled feed is spooled encrypted
// (../sealed-spool.ts). To change safely: add a source here, never a path-reading shortcut in a
// reader.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FeedFolder {
  /** The file's bytes, in chunks; undefined when the feed has no such file. */
  open(file: string): Promise<AsyncIterable<Buffer> | undefined>;
}

/** A folder name (read from disk) or a folder already opened. */
export type FolderLike = string | FeedFolder;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Files on disk, as the operator left them (the CLI, tests, benchmarks). */
export function diskFolder(dir: string): FeedFolder {
  return {
    async open(file) {
      const path = join(dir, file);
      if (!(await isFile(path))) return undefined;
      return createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>;
    },
  };
}

/** Files held in memory; each is made (e.g. serialised) only when it is read. */
export function memoryFolder(files: ReadonlyMap<string, () => Buffer>): FeedFolder {
  return {
    async open(file) {
      const make = files.get(file);
      if (!make) return undefined;
      const bytes = make();
      return (async function* () {
        for (let i = 0; i < bytes.length; i += 256 * 1024) yield bytes.subarray(i, i + 256 * 1024);
      })();
    },
  };
}

export function feedFolder(folder: FolderLike): FeedFolder {
  return typeof folder === 'string' ? diskFolder(folder) : folder;
}

/** A whole file's bytes (small files: a page of staff, a CSV); undefined when absent. */
export async function readWhole(folder: FeedFolder, file: string): Promise<Buffer | undefined> {
  const chunks = await folder.open(file);
  if (!chunks) return undefined;
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}
