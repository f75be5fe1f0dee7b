// Reading feed files without holding them whole: bytes are checked as UTF-8 as they pass (a
// wrong encoding is an error, not silently replaced characters) and records are cut out of the
// JSON one at a time, so memory stays at one record plus one read buffer. Files come from a
// FeedFolder (disk, memory or an encrypted spool), never from a path opened here.
import { MisFormatError } from '../snapshot.ts';
import { readWhole, type FeedFolder } from './feed-folder.ts';
import { JsonRecordSplitter } from './json-splitter.ts';
import type { PathSegment } from './json-splitter.ts';

function encodingError(file: string): MisFormatError {
  return new MisFormatError(file, {}, 'is not valid UTF-8 text (wrong encoding?)');
}

function jsonError(file: string, err: unknown): MisFormatError {
  if (err instanceof MisFormatError) return err;
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new MisFormatError(file, {}, `is not complete, valid JSON (truncated?): ${detail}`);
}

export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw encodingError(file);
  }
}

/** A whole small file (a page of staff, codes...). Undefined when the file is absent. */
export async function readJsonFile(folder: FeedFolder, file: string): Promise<unknown> {
  const bytes = await readWhole(folder, file);
  if (!bytes) return undefined;
  const text = decodeUtf8(file, bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw jsonError(file, err);
  }
}

/**
 * Yields, one at a time, every object or array found at a path `match` accepts (keys and array
 * indexes from the root), e.g. `data[n]` or `[page].data[n]` for Wonde pages. Yields nothing
 * when the file is absent.
 */
export async function* streamJsonValues(
  folder: FeedFolder,
  file: string,
  match: (p: PathSegment[]) => boolean,
  maxDepth = 4,
): AsyncGenerator<unknown> {
  const input = await folder.open(file);
  if (!input) return;
  const splitter = new JsonRecordSplitter(match, maxDepth);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of input) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw encodingError(file);
    }
    let records: unknown[];
    try {
      records = splitter.push(text);
    } catch (err) {
      throw jsonError(file, err);
    }
    for (const r of records) yield r;
  }
  try {
    decoder.decode();
  } catch {
    throw encodingError(file);
  }
  try {
    splitter.end();
  } catch (err) {
    throw jsonError(file, err);
  }
}
