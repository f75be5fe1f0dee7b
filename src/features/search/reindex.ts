// Bringing a school's blind index up to INDEX_VERSION (blind-index.ts) after the way words are
// indexed changed (version 2: English stems). Each record below the version is opened with the
// school's keys, its text tokenised again and its tokens replaced, a batch at a time in the
// school's own transaction, so a school's search improves as the batches land and nothing else
// waits long. Records are taken FOR UPDATE SKIP LOCKED: a record being edited at that moment is
// left for the next batch (the edit writes current tokens itself), and one re-indexed while an
// edit waits is then overwritten by the edit's own tokens, never the other way round.
// Runs from the background job (jobs/search-reindex.ts) and from `lantern search reindex`.
// The version is written into the statements (a constant of the code, never input), so the
// partial indexes of migration 0095 (rows below version 2) serve them.
// Audited once per batch per school (`search.reindexed`, counts only); the text never leaves
// this process.
import type { SchoolTx } from '../../core/context.ts';
import { blindDocument, INDEX_VERSION } from './blind-index.ts';
import { concernTokens } from '../concerns/service.ts';

/** Records re-indexed per kind in one transaction. */
export const REINDEX_BATCH = 500;

export type Reindexed = {
  concerns: number;
  actions: number;
  conversations: number;
  /**
   * Records whose text could not be opened with the school's keys (kind and id, never text):
   * nobody can read them in Lantern either, so they are marked current with no tokens rather
   * than tried again in every batch for ever; the caller logs them for the operator.
   */
  unreadable: { kind: 'concern' | 'action' | 'conversation'; id: string }[];
};

const total = (r: Reindexed) => r.concerns + r.actions + r.conversations;

/** The tokens of one record, or null when its text does not open. */
function tokensOr(make: () => string[]): string[] | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/** Writes each row's new tokens and the current version, in one statement. */
async function write(t: SchoolTx, table: string, rows: { id: string; tokens: string[] }[]) {
  if (rows.length === 0) return;
  await t.q(
    `UPDATE ${table} r SET search_tokens = u.tokens, index_version = $1
       FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, tokens text[])
      WHERE r.id = u.id AND r.school_id = $3`,
    [INDEX_VERSION, JSON.stringify(rows), t.schoolId],
  );
}

/**
 * Re-indexes up to `batch` records of each kind still below INDEX_VERSION in this school; returns
 * how many of each it did (all zero when the school is up to date).
 */
export async function reindexBatch(t: SchoolTx, batch = REINDEX_BATCH): Promise<Reindexed> {
  const sealer = await t.sealer();
  const key = sealer.searchKey;
  const concerns = await t.q<{ id: string; body: Buffer; location: Buffer | null }>(
    `SELECT id, body, location FROM concerns WHERE school_id = $1 AND index_version < ${INDEX_VERSION}
      ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [t.schoolId, batch],
  );
  const done: Reindexed = {
    concerns: concerns.length,
    actions: 0,
    conversations: 0,
    unreadable: [],
  };
  await write(
    t,
    'concerns',
    concerns.map((c) => {
      const tokens = tokensOr(() =>
        concernTokens(
          key,
          sealer.open('concerns.body', c.id, c.body),
          c.location ? sealer.open('concerns.location', c.id, c.location) : null,
        ),
      );
      if (!tokens) done.unreadable.push({ kind: 'concern', id: c.id });
      return { id: c.id, tokens: tokens ?? [] };
    }),
  );
  for (const [table, column, kind, one] of [
    ['actions', 'actions.text', 'actions', 'action'],
    ['conversations', 'conversations.text', 'conversations', 'conversation'],
  ] as const) {
    const rows = await t.q<{ id: string; text: Buffer }>(
      `SELECT id, text FROM ${table} WHERE school_id = $1 AND index_version < ${INDEX_VERSION}
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [t.schoolId, batch],
    );
    await write(
      t,
      table,
      rows.map((r) => {
        const tokens = tokensOr(() => blindDocument(key, sealer.open(column, r.id, r.text)));
        if (!tokens) done.unreadable.push({ kind: one, id: r.id });
        return { id: r.id, tokens: tokens ?? [] };
      }),
    );
    done[kind] = rows.length;
  }
  if (total(done) > 0)
    await t.audit({
      action: 'search.reindexed',
      details: {
        indexVersion: INDEX_VERSION,
        concerns: done.concerns,
        actions: done.actions,
        conversations: done.conversations,
        unreadable: done.unreadable.length,
      },
    });
  return done;
}

/**
 * Whether any record of any school is below the version (the owner's look, through the partial
 * indexes): once none is, the background job has nothing to open a school's transaction for.
 */
/** The indexed kinds' tables, and the rows of one still below the version (of a school: `$1`). */
const INDEXED = ['concerns', 'actions', 'conversations'] as const;
const waitingIn = (table: (typeof INDEXED)[number], ofSchool: boolean) =>
  `FROM ${table} WHERE ${ofSchool ? 'school_id = $1 AND ' : ''}index_version < ${INDEX_VERSION}`;

export const ANY_AWAITING_SQL = `SELECT ${INDEXED.map((x) => `EXISTS (SELECT 1 ${waitingIn(x, false)})`).join(' OR ')} AS any`;

/**
 * Whether any of the school's records is below the version: one probe of each partial index, so a
 * search pays almost nothing for asking, however many records wait.
 */
export async function anyAwaitingReindex(t: SchoolTx): Promise<boolean> {
  const [row] = await t.q<{ any: boolean }>(
    `SELECT ${INDEXED.map((x) => `EXISTS (SELECT 1 ${waitingIn(x, true)})`).join(' OR ')} AS any`,
    [t.schoolId],
  );
  return row?.any === true;
}

/** How many of the school's records a search cannot yet find by their words (below the version). */
export async function awaitingReindex(t: SchoolTx): Promise<number> {
  const [row] = await t.q<{ n: number }>(
    `SELECT (${INDEXED.map((x) => `(SELECT count(*) ${waitingIn(x, true)})`).join(' + ')})::int AS n`,
    [t.schoolId],
  );
  return row?.n ?? 0;
}

/** True when a batch did a whole batch of some kind, so more may be waiting. */
export const mayHaveMore = (r: Reindexed, batch = REINDEX_BATCH) =>
  r.concerns === batch || r.actions === batch || r.conversations === batch;
