// Reading feed files without holding them whole: bytes are checked as UTF-8 as they pass (a
// wrong encoding is an error, not silently replaced characters) and records are cut out of the
// JSON one at a time, so memory stays at one record plus one read buffer.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MisFormatError } from '../snapshot.ts';
import { JsonRecordSplitter } from './json-splitter.ts';
import type { PathSegment } from './json-splitter.ts';

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function encodingError(path: string): MisFormatError {
  return new MisFormatError(basename(path), {}, 'is not valid UTF-8 text (wrong encoding?)');
}

function jsonError(path: string, err: unknown): MisFormatError {
  if (err instanceof MisFormatError) return err;
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new MisFormatError(
    basename(path),
    {},
    `is not complete, valid JSON (truncated?): ${detail}`,
  );
}

export function decodeUtf8(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw encodingError(path);
  }
}

/** A whole small file (a page of staff, codes...). Undefined when the file is absent. */
export async function readJsonFile(path: string): Promise<unknown> {
  if (!(await fileExists(path))) return undefined;
  const text = decodeUtf8(path, await readFile(path));
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw jsonError(path, err);
  }
}

/**
 * Yields, one at a time, every object or array found at a path `match` accepts (keys and array
 * indexes from the root), e.g. `data[n]` or `[page].data[n]` for Wonde pages. Yields nothing
 * when the file is absent.
 */
export async function* streamJsonValues(
  path: string,
  match: (p: PathSegment[]) => boolean,
  maxDepth = 4,
): AsyncGenerator<unknown> {
  if (!(await fileExists(path))) return;
  const splitter = new JsonRecordSplitter(match, maxDepth);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw encodingError(path);
      }
      let records: unknown[];
      try {
        records = splitter.push(text);
      } catch (err) {
        throw jsonError(path, err);
      }
      for (const r of records) yield r;
    }
    try {
      decoder.decode();
    } catch {
      throw encodingError(path);
    }
    try {
      splitter.end();
    } catch (err) {
      throw jsonError(path, err);
    }
  } finally {
    input.destroy();
  }
}
