// "Search records": words in the (encrypted) text through the keyed blind index, plus filters by
// pupil, category, author, status and dates. Results pass the same visibility rules as every list
// (concerns: visibleWhere + canRead; actions: actionsVisibleWhere; conversations: case managers,
// and only those granted every restricted category they touch — conversationTouchesGranted),
// and linked pupils are shown through pupilAsSeen, as on the concern page.
// Every filter applies to every kind of hit, or that kind is left out:
//   pupil    concerns linked to the pupil; actions and conversations about them — only where
//            the viewer is shown that pupil (pupilAsSeen), so a hidden pupil's id finds nothing
//   category concerns only (actions and conversations carry no category: left out)
//   author   who recorded it: a concern's author, an action's creator, a conversation's author
//   status   concerns by their case (CONCERN_STATUS_SQL); actions open until completed, then
//            closed; conversations have no status and are left out
//   from/to  when it happened: a concern's or conversation's date, an action's creation
// Every search is audited with its filters and the NUMBER of words, never the words themselves.
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { blindQuery } from './blind-index.ts';
import { canRead, pupilAsSeen, visibleWhere } from '../concerns/policy.ts';
import {
  CONCERN_STATUS_SQL,
  metaOf,
  newestConcernsSql,
  presentConcern,
  type ConcernRow,
} from '../concerns/read.ts';
import { actionsVisibleWhere } from '../actions/service.ts';
import { conversationTouchesGranted } from '../conversations/policy.ts';
import type { SearchBody } from '../../shared/schemas/search.ts';

/** The route's body: words and filters (src/shared/schemas/search.ts). */
export type SearchFilters = SearchBody;

export type SearchHit = {
  id: string;
  kind: 'concern' | 'action' | 'conversation';
  happenedAt: string;
  pupils: { id: string | null; name: string }[];
  categories: { id: string; name: string; colour: string }[];
  author: string;
  status: string;
  excerpt: string;
};

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Collects numbered parameters for one query. */
function paramList() {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  return { params, p };
}

/** The pupil of an action or conversation, with what pupilAsSeen needs. */
const PUPIL_COLUMNS = `p.id AS pupil_id,
  coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
  p.year_group AS pupil_year, p.form AS pupil_form,
  lantern_pupil_group_refs(p.id, p.form) AS pupil_refs`;
type PupilColumns = {
  pupil_id: string;
  pupil_name: string;
  pupil_year: string | null;
  pupil_form: string | null;
  pupil_refs: string[];
};

function pupilOf(t: Tx, r: PupilColumns, knownTo: string[]) {
  return pupilAsSeen(
    t.actor,
    {
      id: r.pupil_id,
      name: r.pupil_name,
      yearGroup: r.pupil_year,
      form: r.pupil_form,
      groupRefs: r.pupil_refs,
    },
    { knownTo },
  );
}

/**
 * How many of the newest concerns a search reads directly before it asks the word index: a word
 * in many records is found among the newest in a few milliseconds, where gathering every record
 * that holds it through the index would cost one row per match (issue 12).
 */
const NEWEST_WINDOW = 4000;

async function concernHits(
  t: Tx,
  f: SearchFilters,
  tokens: string[],
  limit: number,
): Promise<SearchHit[]> {
  const query = async (matching: (p: (v: unknown) => string) => string) => {
    const { params, p } = paramList();
    const where: string[] = [];
    if (tokens.length > 0) where.push(matching(p));
    if (f.pupilId)
      where.push(
        `EXISTS (SELECT 1 FROM concern_pupils x WHERE x.concern_id = c.id AND x.pupil_id = ${p(f.pupilId)})`,
      );
    if (f.categoryId)
      where.push(
        `EXISTS (SELECT 1 FROM concern_categories y WHERE y.concern_id = c.id AND y.category_id = ${p(f.categoryId)})`,
      );
    if (f.authorId) where.push(`c.author_id = ${p(f.authorId)}`);
    if (f.status) where.push(`${CONCERN_STATUS_SQL} = ${p(f.status)}`);
    if (f.from) where.push(`c.happened_at >= ${p(new Date(f.from))}`);
    if (f.to) where.push(`c.happened_at <= ${p(new Date(f.to))}`);
    const vis = visibleWhere(t.actor, params.length + 1);
    where.push(vis.sql);
    params.push(...vis.params);
    return t.q<ConcernRow>(newestConcernsSql(where.join(' AND '), p(limit)), params);
  };
  // First the newest concerns, read directly: if they hold a full page of matches, those are the
  // newest matches of all. Otherwise (a rarer word) the word index names every match, as the
  // owner (migration 0007), and visibility is still applied to the records themselves.
  let rows =
    tokens.length > 0
      ? await query(
          (p) => `c.search_tokens @> ${p(tokens)}::text[] AND c.id IN (
            SELECT w.id FROM concerns w ORDER BY w.happened_at DESC, w.id LIMIT ${p(NEWEST_WINDOW)})`,
        )
      : [];
  if (tokens.length === 0 || rows.length < limit) {
    rows = await query(
      (p) => `c.id IN (SELECT lantern_search_matches('concern', ${p(tokens)}::text[]))`,
    );
  }
  const readable = rows.filter((r) => canRead(t.actor, metaOf(r)));
  const sealer = await t.sealer();
  return readable.map((r) => {
    const v = presentConcern(t, sealer, r);
    return {
      id: v.id,
      kind: 'concern',
      happenedAt: v.happenedAt,
      pupils: v.pupils.map((x) => ({ id: x.id, name: x.name })),
      categories: v.categories,
      author: v.author.name,
      status: v.status,
      excerpt: excerpt(v.body),
    };
  });
}

async function actionHits(
  t: Tx,
  f: SearchFilters,
  tokens: string[],
  limit: number,
): Promise<SearchHit[]> {
  const { params, p } = paramList();
  const where: string[] = [];
  if (tokens.length > 0)
    where.push(`a.id IN (SELECT lantern_search_matches('action', ${p(tokens)}::text[]))`);
  if (f.pupilId) where.push(`a.pupil_id = ${p(f.pupilId)}`);
  if (f.authorId) where.push(`a.created_by = ${p(f.authorId)}`);
  if (f.status === 'open') where.push('a.completed_at IS NULL');
  if (f.status === 'closed') where.push('a.completed_at IS NOT NULL');
  if (f.from) where.push(`a.created_at >= ${p(new Date(f.from))}`);
  if (f.to) where.push(`a.created_at <= ${p(new Date(f.to))}`);
  const av = actionsVisibleWhere(t, params.length + 1);
  where.push(av.sql);
  params.push(...av.params);
  const rows = await t.q<
    PupilColumns & {
      id: string;
      created_at: Date;
      text: Buffer;
      author: string;
      created_by: string;
      assignee_id: string;
      done: boolean;
    }
  >(
    `SELECT a.id, a.created_at, a.text, a.created_by, a.assignee_id, ${PUPIL_COLUMNS},
            u.name AS author, a.completed_at IS NOT NULL AS done
     FROM actions a JOIN pupils p ON p.id = a.pupil_id JOIN users u ON u.id = a.created_by
     WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id LIMIT ${p(limit)}`,
    params,
  );
  const sealer = await t.sealer();
  return rows.map((a) => ({
    id: a.id,
    kind: 'action',
    happenedAt: a.created_at.toISOString(),
    pupils: [pupilOf(t, a, [a.created_by, a.assignee_id])],
    categories: [],
    author: a.author,
    status: a.done ? 'completed' : 'open',
    excerpt: excerpt(sealer.open('actions.text', a.id, a.text)),
  }));
}

async function conversationHits(
  t: Tx,
  f: SearchFilters,
  tokens: string[],
  limit: number,
): Promise<SearchHit[]> {
  const { params, p } = paramList();
  const where: string[] = [];
  if (tokens.length > 0)
    where.push(`v.id IN (SELECT lantern_search_matches('conversation', ${p(tokens)}::text[]))`);
  if (f.pupilId) where.push(`v.pupil_id = ${p(f.pupilId)}`);
  if (f.authorId) where.push(`v.author_id = ${p(f.authorId)}`);
  if (f.from) where.push(`v.happened_at >= ${p(new Date(f.from))}`);
  if (f.to) where.push(`v.happened_at <= ${p(new Date(f.to))}`);
  const touch = conversationTouchesGranted(t.actor, params.length + 1);
  where.push(touch.sql);
  params.push(...touch.params);
  const rows = await t.q<
    PupilColumns & {
      id: string;
      happened_at: Date;
      text: Buffer;
      author: string;
      author_id: string;
    }
  >(
    `SELECT v.id, v.happened_at, v.text, v.author_id, ${PUPIL_COLUMNS}, u.name AS author
     FROM conversations v JOIN pupils p ON p.id = v.pupil_id JOIN users u ON u.id = v.author_id
     WHERE ${where.join(' AND ')}
     ORDER BY v.happened_at DESC, v.id LIMIT ${p(limit)}`,
    params,
  );
  const sealer = await t.sealer();
  return rows.map((v) => ({
    id: v.id,
    kind: 'conversation',
    happenedAt: v.happened_at.toISOString(),
    pupils: [pupilOf(t, v, [v.author_id])],
    categories: [],
    author: v.author,
    status: 'recorded',
    excerpt: excerpt(sealer.open('conversations.text', v.id, v.text)),
  }));
}

export async function searchRecords(t: Tx, f: SearchFilters): Promise<SearchHit[]> {
  const sealer = await t.sealer();
  const tokens = f.q ? blindQuery(sealer.searchKey, f.q) : [];
  const hasFilter = f.pupilId || f.categoryId || f.authorId || f.status || f.from || f.to;
  if (tokens.length === 0 && !hasFilter)
    throw badRequest('Type a word to search for, or choose a filter.', 'empty_search');
  if (f.from && f.to && new Date(f.from) > new Date(f.to))
    throw badRequest('"From" must be on or before "to".', 'bad_date_range');
  const limit = f.limit ?? 50;
  const hits = await concernHits(t, f, tokens, limit);
  // Actions and conversations carry no category: a category filter leaves them out.
  if (!f.categoryId) {
    hits.push(...(await actionHits(t, f, tokens, limit)));
    // Conversations have no status: a status filter leaves them out.
    if (!f.status && can(t.actor, 'case.manage'))
      hits.push(...(await conversationHits(t, f, tokens, limit)));
  }
  // Found by a pupil only where that pupil is shown: searching by the id of a pupil the viewer
  // may not see must not confirm which readable records link them.
  const found = f.pupilId ? hits.filter((h) => h.pupils.some((x) => x.id === f.pupilId)) : hits;
  // Newest first across every kind, at most `limit` in all.
  found.sort((a, b) =>
    a.happenedAt > b.happenedAt ? -1 : a.happenedAt < b.happenedAt ? 1 : a.id < b.id ? -1 : 1,
  );
  const shown = found.slice(0, limit);
  await t.audit({
    action: 'records.searched',
    details: {
      terms: tokens.length,
      filters: Object.keys(f).filter((k) => k !== 'q' && k !== 'limit'),
      results: shown.map((h) => h.id),
    },
  });
  return shown;
}
