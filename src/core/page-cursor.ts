// A page cursor: where the next page of a long list starts, handed to the browser and back. It
// protects against reading past a wall by editing a cursor: each is signed with a key of the
// school's own (an HMAC derived from its search key), and the signature covers the list it belongs
// to — its kind and subject (a pupil's id; a digest of a search's words and filters) — so a cursor
// from another pupil, another school or another search, or one altered in any byte, is refused
// with 400 and never read. A cursor says only where a page starts (a time and a record id), never
// what the list is about, so it may sit in a URL. To change safely: keep the subject inside the
// signed text, compare signatures in constant time, and validate the position's shape after the
// signature, never before.
import { timingSafeEqual } from 'node:crypto';
import type { Sealer } from '../platform/crypto/school-keys.ts';
import { badRequest } from './errors.ts';

/** Which list a cursor belongs to: a cursor is read only by the list it was made for. */
export type CursorList = { kind: string; subject: string };

const MAX_CURSOR = 512;

const signed = (sealer: Sealer, list: CursorList, payload: string) =>
  sealer.digest('page-cursor', `${list.kind}\n${list.subject}\n${payload}`);

export function pageCursor(sealer: Sealer, list: CursorList, position: object): string {
  const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  return `${payload}.${signed(sealer, list, payload)}`;
}

const refused = () =>
  badRequest(
    'That page link is not valid for this list. Go back to the first page and try again.',
    'bad_cursor',
  );

/**
 * The position a cursor holds, or a 400 when it was not made by this school for this list, or its
 * position is not the shape `read` expects (`read` returns undefined for a wrong shape).
 */
export function readPageCursor<T>(
  sealer: Sealer,
  list: CursorList,
  cursor: string,
  read: (position: unknown) => T | undefined,
): T {
  if (cursor.length > MAX_CURSOR) throw refused();
  const dot = cursor.indexOf('.');
  if (dot < 1) throw refused();
  const payload = cursor.slice(0, dot);
  const given = Buffer.from(cursor.slice(dot + 1), 'utf8');
  const expected = Buffer.from(signed(sealer, list, payload), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const value = read(position);
  if (value === undefined) throw refused();
  return value;
}

/** Reads the common position shape: the sort time of the last row shown and its id. */
export function timeAndId(position: unknown): { at: string; id: string } | undefined {
  if (typeof position !== 'object' || position === null) return undefined;
  const { at, id } = position as Record<string, unknown>;
  if (typeof at !== 'string' || typeof id !== 'string') return undefined;
  if (Number.isNaN(Date.parse(at)) || id.length === 0 || id.length > 100) return undefined;
  return { at, id };
}
