// A pupil's chronology, read a page at a time from every kind of record about them (sources.ts,
// each with its own visibility rules in SQL). The chronology's order is (time, kind, id): newest
// first on the screen, oldest first in the PDF. A page is found by asking each source for its next
// rows after a position (an index walk that stops at the page), merging them here and keeping the
// first; the total is counted in SQL under the same filters and rules, so it never counts what
// the viewer may not see. A linked pupil the viewer may not see is shown as "Another pupil".
//
// A page cursor (core/page-cursor.ts) holds only a position (time, kind, id) and is signed for
// this school, this pupil and these filters: one from another pupil, school or filter set, or
// altered, is refused with 400 before any read. The total is counted afresh for every page.
// To change safely: keep every rule in the sources' SQL (never filter a page after reading it),
// keep the order a total order (ties on time broken by kind, then id), and keep the filters in
// the cursor's subject.
import type { Tx } from '../../core/context.ts';
import { pageCursor, readPageCursor, timeAndId, type CursorList } from '../../core/page-cursor.ts';
import { ENTRY_KINDS, type EntryKind } from '../../shared/schemas/chronology.ts';
import {
  Params,
  sourcesFor,
  type ChronologyEntry,
  type ChronologyFilter,
  type Source,
} from './sources.ts';

export type { ChronologyEntry, ChronologyFilter };

/** Where a page starts: the exact time (microseconds, UTC) and `kind:id` of the entry before. */
export type Position = { at: string; kind: EntryKind; id: string };
export type Direction = 'newest_first' | 'oldest_first';

/** A row's place in the order, as the sources give it. */
type Key = { kind: EntryKind; id: string; at: string };

const EXACT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The time as fixed-width text with PostgreSQL's full precision, so text order is time order. */
const exactTime = (expr: string) =>
  `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Compares two keys in the chronology's order, oldest first. */
function compareKeys(a: Key, b: Key): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  // No kind's name begins another's, so `kind:id` orders as (kind, id) does.
  const x = `${a.kind}:${a.id}`;
  const y = `${b.kind}:${b.id}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The source's rows strictly after `p` in direction `d`, as SQL (kind fixed, so a tuple test). */
function after(s: Source, p: Params, pos: Position, d: Direction): string {
  const at = `${p.add(pos.at)}::timestamptz`;
  const later = d === 'oldest_first';
  if (s.kind === pos.kind)
    return `(${s.time}, ${s.id}) ${later ? '>' : '<'} (${at}, ${p.add(pos.id)}::uuid)`;
  // At the same time, a kind that sorts after the position's comes after it.
  const sameTimeIsNext = later === s.kind > pos.kind;
  return `${s.time} ${later ? '>' : '<'}${sameTimeIsNext ? '=' : ''} ${at}`;
}

function whereOf(s: Source, p: Params, t: Tx, pupilId: string, f: ChronologyFilter): string[] {
  return [
    ...s.where(p, t, pupilId, f),
    ...(f.from ? [`${s.time} >= ${p.add(f.from)}`] : []),
    ...(f.to ? [`${s.time} <= ${p.add(f.to)}`] : []),
  ];
}

/**
 * The next `size` entries after `position` (from the start when absent), and whether more
 * follow. Reads at most size + 1 keys from each source, merged in one statement's answer.
 */
export async function readChronology(
  t: Tx,
  pupilId: string,
  f: ChronologyFilter,
  o: { size: number; direction: Direction; after?: Position },
): Promise<{ entries: ChronologyEntry[]; last: Position | undefined; more: boolean }> {
  const sources = sourcesFor(t, f);
  if (sources.length === 0) return { entries: [], last: undefined, more: false };
  const p = new Params();
  const order = o.direction === 'oldest_first' ? 'ASC' : 'DESC';
  const selects = sources.map((s) => {
    const where = whereOf(s, p, t, pupilId, f);
    if (o.after) where.push(after(s, p, o.after, o.direction));
    return `(SELECT '${s.kind}' AS kind, ${s.id}::text AS id, ${exactTime(s.time)} AS at
      FROM ${s.from} WHERE ${where.join(' AND ')}
      ORDER BY ${s.time} ${order}, ${s.id} ${order} LIMIT ${p.add(o.size + 1)})`;
  });
  const keys = await t.q<Key>(selects.join('\nUNION ALL\n'), p.values);
  keys.sort(o.direction === 'oldest_first' ? compareKeys : (a, b) => compareKeys(b, a));
  const page = keys.slice(0, o.size);
  const lastKey = page.at(-1);
  const shown = new Map<string, ChronologyEntry>();
  for (const s of sources) {
    const ids = page.filter((k) => k.kind === s.kind).map((k) => k.id);
    if (ids.length === 0) continue;
    for (const [id, entry] of await s.present(t, pupilId, ids)) shown.set(`${s.kind}:${id}`, entry);
  }
  return {
    // In the page's order; an entry a source's presenter would not show (the concern policy's
    // last word) is left out, and the page's end stays where the SQL put it.
    entries: page.flatMap((k) => shown.get(`${k.kind}:${k.id}`) ?? []),
    last: lastKey && { at: lastKey.at, kind: lastKey.kind, id: lastKey.id },
    more: keys.length > o.size,
  };
}

/** How many entries the viewer may see under these filters, counted in SQL. */
export async function countChronology(
  t: Tx,
  pupilId: string,
  f: ChronologyFilter,
): Promise<number> {
  const sources = sourcesFor(t, f);
  if (sources.length === 0) return 0;
  const p = new Params();
  const counts = sources.map(
    (s) => `(SELECT count(*) FROM ${s.from} WHERE ${whereOf(s, p, t, pupilId, f).join(' AND ')})`,
  );
  const [row] = await t.q<{ n: number }>(`SELECT (${counts.join(' + ')})::int AS n`, p.values);
  return row?.n ?? 0;
}

/** The list a cursor belongs to: this pupil's chronology under exactly these filters. */
function listOf(pupilId: string, f: ChronologyFilter): CursorList {
  const kinds = f.kinds ? [...new Set(f.kinds)].sort() : null;
  const subject = JSON.stringify([
    pupilId,
    f.categoryId ?? null,
    kinds,
    f.from?.toISOString() ?? null,
    f.to?.toISOString() ?? null,
  ]);
  return { kind: 'chronology', subject };
}

/**
 * The cursor of the page after `p`: its position only (time, kind and id). The total is counted
 * again on every page, under the rules of whoever reads it, so a cursor passed to another viewer
 * tells them nothing about entries they may not see.
 */
export async function cursorAfter(
  t: Tx,
  pupilId: string,
  f: ChronologyFilter,
  p: Position,
): Promise<string> {
  return pageCursor(await t.sealer(), listOf(pupilId, f), { at: p.at, id: `${p.kind}:${p.id}` });
}

/** Where a cursor's page starts, or 400 when it is not this list's. */
export async function positionOf(
  t: Tx,
  pupilId: string,
  f: ChronologyFilter,
  cursor: string,
): Promise<Position> {
  return readPageCursor(await t.sealer(), listOf(pupilId, f), cursor, (raw) => {
    const p = timeAndId(raw);
    if (!p || !EXACT.test(p.at)) return undefined;
    const colon = p.id.indexOf(':');
    const kind = ENTRY_KINDS.find((k) => k === p.id.slice(0, colon));
    const id = p.id.slice(colon + 1);
    return kind && UUID.test(id) ? { at: p.at, kind, id } : undefined;
  });
}
