// Reading a school's audit trail: the entries about one pupil's record ("Who has seen this
// record") and the explorer's search by person, pupil, event and date. Both read audit_events
// under the school's row-level security, newest first, a page at a time by a signed cursor that
// holds only a sequence number and is bound to the list and its filters. Reading is audited by
// the routes, in the same transaction.
//
// A pupil's record is every row that is about them: the pupil, the concerns they are linked to
// (and those concerns' documents and alerts), their cases, actions, referrals and conversations.
// An entry counts when its target is one of those rows, so an opened search hit (the concern
// opened), an export and a change all appear; a list or search that merely showed a record does
// not (it names ids in its details, and was never opened).
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { pageCursor, readPageCursor, type CursorList } from '../../core/page-cursor.ts';
import { AUDIT_ACTIONS } from '../../platform/audit/catalogue.ts';
import {
  TRAIL_KINDS,
  type TrailEntry,
  type TrailKind,
  type TrailQuery,
} from '../../shared/schemas/audit-trail.ts';
import { EVENT_LABELS, labelOf } from './labels.ts';

/** Every row that is about the pupil, as (target_type, target_id) pairs; $1 is the pupil's id. */
const PUPIL_TARGETS = `
  SELECT 'pupil'::text AS target_type, $1::text AS target_id
  UNION ALL SELECT 'concern', cp.concern_id::text FROM concern_pupils cp WHERE cp.pupil_id = $1::uuid
  UNION ALL SELECT 'attachment', a.id::text FROM attachments a
    JOIN concern_pupils cp ON cp.school_id = a.school_id AND cp.concern_id = a.concern_id
    WHERE cp.pupil_id = $1::uuid
  UNION ALL SELECT 'alert', al.id::text FROM alerts al
    JOIN concern_pupils cp ON cp.school_id = al.school_id AND al.target_type = 'concern'
      AND cp.concern_id = al.target_id
    WHERE cp.pupil_id = $1::uuid
  UNION ALL SELECT 'case', id::text FROM cases WHERE pupil_id = $1::uuid
  UNION ALL SELECT 'action', id::text FROM actions WHERE pupil_id = $1::uuid
  UNION ALL SELECT 'referral', id::text FROM referrals WHERE pupil_id = $1::uuid
  UNION ALL SELECT 'conversation', id::text FROM conversations WHERE pupil_id = $1::uuid`;

/**
 * The SQL of every (target_type, target_id) that is a record of the pupil `$1` (the pupil's own
 * record, their concerns and what hangs from them): the subject-access gathering reads it.
 */
export const pupilTargetsSql = () => PUPIL_TARGETS;

export type TrailFilter = TrailQuery;

/** The filter as the audit entry of its reading names it (which filters, never their values). */
export function filterNames(f: TrailFilter): string[] {
  return Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
}

function actionsOfKind(kind: TrailKind): string[] {
  return AUDIT_ACTIONS.filter((a) => EVENT_LABELS[a][1] === kind && inGeneralTrail(a));
}

/**
 * Events kept out of the school's trail whatever the reader's rights: the concerns-about-adults
 * area (issue 19) is read only through its own audit view, where the person a matter names is
 * excluded; here the DSL or head could be that person.
 */
export const SEPARATE_AREAS = ['staff_concerns.'] as const;
const inGeneralTrail = (action: string) => !SEPARATE_AREAS.some((p) => action.startsWith(p));

/** The WHERE clauses of a filter, with their parameters appended to `params`. */
function whereOf(f: TrailFilter, params: unknown[]): string[] {
  const where: string[] = SEPARATE_AREAS.map(
    (p) => `e.action NOT LIKE '${p.replace(/_/g, '\\_')}%'`,
  );
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.person) where.push(`e.actor_id = ${add(f.person)}::uuid`);
  if (f.action) {
    if (!(AUDIT_ACTIONS as string[]).includes(f.action) || !inGeneralTrail(f.action))
      throw badRequest('There is no such kind of event in the audit trail.', 'unknown_event');
    where.push(`e.action = ${add(f.action)}`);
  }
  if (f.kind) where.push(`e.action = ANY(${add(actionsOfKind(f.kind))}::text[])`);
  if (f.from && f.to && f.to < f.from)
    throw badRequest('The end date is before the start date.', 'bad_range');
  // Days in England, both ends included.
  if (f.from) where.push(`e.at >= (${add(f.from)}::date)::timestamp AT TIME ZONE 'Europe/London'`);
  if (f.to) where.push(`e.at < (${add(f.to)}::date + 1)::timestamp AT TIME ZONE 'Europe/London'`);
  return where;
}

type Row = {
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
};

const COLUMNS =
  'e.seq, e.at, e.actor_id, e.actor_label, e.action, e.target_type, e.target_id, e.ip';

export function present(r: Row): TrailEntry {
  const [what, kind] = labelOf(r.action);
  return {
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    who: r.actor_label,
    whoId: r.actor_id,
    action: r.action,
    what,
    kind,
    recordType: r.target_type,
    recordId: r.target_id,
    from: r.ip,
  };
}

const list = (kind: string, subject: string, f: TrailFilter): CursorList => ({
  kind,
  subject: `${subject}\n${JSON.stringify(Object.entries(f).sort())}`,
});

function seqOf(position: unknown): number | undefined {
  if (typeof position !== 'object' || position === null) return undefined;
  const { seq } = position as Record<string, unknown>;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

export type Page = { entries: TrailEntry[]; nextCursor?: string };

async function readPage(
  t: Tx,
  cursorList: CursorList,
  from: string,
  f: TrailFilter,
  params: unknown[],
  cursor: string | undefined,
  size: number,
): Promise<Page> {
  const sealer = await t.sealer();
  const where = whereOf(f, params);
  if (cursor) {
    const before = readPageCursor(sealer, cursorList, cursor, seqOf);
    params.push(before);
    where.push(`e.seq < $${params.length}`);
  }
  const rows = await t.q<Row>(
    `SELECT ${COLUMNS} FROM ${from}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY e.seq DESC LIMIT ${size + 1}`,
    params,
  );
  const entries = rows.slice(0, size).map(present);
  const last = entries.at(-1);
  return {
    entries,
    ...(rows.length > size && last
      ? { nextCursor: pageCursor(sealer, cursorList, { seq: last.seq }) }
      : {}),
  };
}

/** A page of the entries about one pupil's record, and how many match in all. */
export async function pupilLog(
  t: Tx,
  pupilId: string,
  f: TrailFilter,
  cursor: string | undefined,
  size: number,
): Promise<Page & { total: number; people: { id: string; name: string }[] }> {
  const from = `audit_events e JOIN (${PUPIL_TARGETS}) pt
    ON e.target_type = pt.target_type AND e.target_id = pt.target_id`;
  const page = await readPage(
    t,
    list('pupil-access-log', pupilId, f),
    from,
    f,
    [pupilId],
    cursor,
    size,
  );
  const countParams: unknown[] = [pupilId];
  const where = whereOf(f, countParams);
  const [count] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    countParams,
  );
  // Whoever appears in the log, under the same exclusion of the separate areas as its entries.
  const peopleWhere = [...whereOf({}, []), 'e.actor_id IS NOT NULL'];
  const people = await t.q<{ id: string; name: string }>(
    `SELECT u.id, u.name FROM users u WHERE u.id IN (
       SELECT DISTINCT e.actor_id FROM ${from} WHERE ${peopleWhere.join(' AND ')})
     ORDER BY u.name`,
    [pupilId],
  );
  return { ...page, total: count?.n ?? 0, people };
}

/** A page of the school's trail under the explorer's filters. */
export async function trailPage(
  t: Tx,
  f: TrailFilter,
  cursor: string | undefined,
  size: number,
): Promise<Page> {
  if (f.pupil) {
    const from = `audit_events e JOIN (${PUPIL_TARGETS}) pt
      ON e.target_type = pt.target_type AND e.target_id = pt.target_id`;
    const { pupil: _pupil, ...rest } = f;
    return readPage(t, list('audit-trail', t.actor.userId, f), from, rest, [f.pupil], cursor, size);
  }
  return readPage(t, list('audit-trail', t.actor.userId, f), 'audit_events e', f, [], cursor, size);
}

/** The explorer's choices: the school's members, and every event with its label and kind. */
export async function trailChoices(t: Tx) {
  const people = await t.q<{ id: string; name: string }>(
    'SELECT id, name FROM users ORDER BY name',
  );
  const events = AUDIT_ACTIONS.filter(inGeneralTrail)
    .map((action) => ({
      action,
      label: EVENT_LABELS[action][0],
      kind: EVENT_LABELS[action][1],
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return { people, events };
}

export { TRAIL_KINDS };
