// Field checks shared by every reader. Each one either returns a clean value or throws a
// MisFormatError naming file, record and field, so a bad batch is rejected before the sync
// engine touches the database. Values are never transformed beyond type and date normalisation:
// names with quotes, accents, markup or SQL are returned exactly as given.
import { MisFormatError } from '../snapshot.ts';
import type { IsoDate, Pupil } from '../snapshot.ts';

export interface RecordCtx {
  file: string;
  index: number | null;
  id: string | null;
}

/** Generous for real data, small enough that a runaway field is caught rather than stored. */
export const LIMITS = {
  id: 100,
  name: 200,
  code: 50,
  text: 500,
  email: 320,
  phone: 50,
  address: 1000,
  url: 2000,
  photo: 5_000_000,
} as const;

export type JsonObject = Record<string, unknown>;

export function fail(ctx: RecordCtx, field: string | null, reason: string): never {
  throw new MisFormatError(ctx.file, { record: ctx.index, recordId: ctx.id, field }, reason);
}

/** A short, quoted excerpt of a bad value: enough to find it, never the whole thing. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optText(ctx: RecordCtx, field: string, value: unknown, max: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' && Number.isFinite(value)) s = String(value);
  else fail(ctx, field, `must be text, got ${quote(value)}`);
  if (s.length > max) fail(ctx, field, `is ${s.length} characters long; the limit is ${max}`);
  return s;
}

export function reqText(ctx: RecordCtx, field: string, value: unknown, max: number): string {
  const s = optText(ctx, field, value, max);
  if (s === null || s.trim() === '') fail(ctx, field, 'is missing');
  return s;
}

/** Reads the record's id and records it in the context so later errors can name it. */
export function reqId(ctx: RecordCtx, field: string, value: unknown): string {
  const id = reqText(ctx, field, value, LIMITS.id);
  ctx.id = id;
  return id;
}

const TRUE_WORDS = new Set(['true', 't', 'y', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'n', 'no', '0']);

export function optBool(ctx: RecordCtx, field: string, value: unknown): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const w = value.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  return fail(ctx, field, `must be true or false, got ${quote(value)}`);
}

export function optInt(ctx: RecordCtx, field: string, value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    fail(ctx, field, `must be a whole number, got ${quote(value)}`);
  }
  return n;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const UK = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;

/** `YYYY-MM-DD` when the parts form a real calendar date in a plausible range, else null. */
export function realDate(y: number, m: number, d: number): IsoDate | null {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Accepts ISO dates (with an optional time, which is dropped: MIS dates are local calendar dates),
 * UK `dd/mm/yyyy`, and Wonde's `{date: 'YYYY-MM-DD HH:MM:SS.ffffff', timezone...}` objects.
 */
export function optDate(ctx: RecordCtx, field: string, value: unknown): IsoDate | null {
  if (value === null || value === undefined || value === '') return null;
  if (isObject(value)) return optDate(ctx, field, value['date']);
  if (typeof value !== 'string') return fail(ctx, field, `must be a date, got ${quote(value)}`);
  const s = value.trim();
  const iso = ISO.exec(s);
  const uk = iso ? null : UK.exec(s);
  if (!iso && !uk)
    return fail(ctx, field, `${quote(value)} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)`);
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : [Number(uk?.[3]), Number(uk?.[2]), Number(uk?.[1])];
  const out = realDate(y, m, d);
  if (out === null) fail(ctx, field, `${quote(value)} is not a real date`);
  return out;
}

/** UPNs are 13 characters: a check letter then 12 digits (the last may be a letter when temporary). */
export function optUpn(ctx: RecordCtx, field: string, value: unknown): string | null {
  const s = optText(ctx, field, value, LIMITS.code);
  if (s === null) return null;
  if (!/^[A-Z][0-9]{11}[0-9A-Z]$/.test(s))
    fail(ctx, field, `${quote(s)} is not a UPN (13 characters)`);
  return s;
}

export function optUln(ctx: RecordCtx, field: string, value: unknown): string | null {
  const s = optText(ctx, field, value, LIMITS.code);
  if (s === null) return null;
  if (!/^[0-9]{10}$/.test(s)) fail(ctx, field, `${quote(s)} is not a ULN (10 digits)`);
  return s;
}

/** Two pupils with one UPN in one batch means the MIS export is wrong; reject rather than guess. */
export function assertUniqueUpns(file: string, pupils: Pupil[], upnField: string): void {
  const seen = new Map<string, number>();
  pupils.forEach((p, i) => {
    if (p.upn === null) return;
    const first = seen.get(p.upn);
    if (first !== undefined) {
      const other = pupils[first]?.misId ?? '?';
      fail(
        { file, index: i, id: p.misId },
        upnField,
        `${quote(p.upn)} is also the UPN of record ${first} (id ${other})`,
      );
    }
    seen.set(p.upn, i);
  });
}

export function assertUniqueIds(file: string, ids: string[], idField: string): void {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined)
      fail({ file, index: i, id }, idField, `is repeated (first seen in record ${first})`);
    seen.set(id, i);
  });
}
