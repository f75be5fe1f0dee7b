// A request's workbench as one read (issue 17): its items with their content (read from the
// records), their redactions placed in the current text (or stale), the people suggested for
// redaction, and the response as it would go out — only the included items, in date order, each
// with its redacted spans removed. The approval and the pack both hash `responseJson`, so a pack
// is made only from exactly what the second person approved.
import { createHash } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import type {
  FoundAs,
  ItemReason,
  ItemSource,
  RedactionReason,
} from '../../../shared/schemas/subject-access.ts';
import { GONE, readContents, redactsStaff, type Content, type Person } from './content.ts';
import { heldBackItems } from './held-back.ts';
import { applyRedactions, locate, placesOf, type PlacedRedaction } from './redact.ts';

export type ItemRow = {
  id: string;
  pupil_id: string;
  source: ItemSource;
  source_id: string;
  found_as: FoundAs;
  role: string | null;
  happened_at: Date;
  included: boolean;
  reason: ItemReason;
};
export type RedactionRow = {
  id: string;
  item_id: string;
  start_at: number;
  end_at: number;
  span_digest: string;
  reason: RedactionReason;
  can_redact: boolean | null;
  consent: boolean | null;
  reasonable: boolean | null;
  by_name: string;
  created_at: Date;
};
export type PlacedRow = RedactionRow & {
  placed: { start: number; end: number } | null;
  /** How many more times its words stand unredacted in the included items. */
  elsewhere: number;
};
export type StateItem = {
  row: ItemRow;
  content: Content;
  gone: boolean;
  /** The actor may not read it (held-back.ts): sent without its text, not to be changed. */
  heldBack: boolean;
  redactions: PlacedRow[];
  suggestions: (Person & { start: number; end: number })[];
};

/** One entry of the response: what the requester receives of an included item. */
export type ResponseEntry = {
  happenedAt: string;
  source: ItemSource;
  title: string;
  author: string | null;
  text: string;
  /** An item that is a table (the audit log): its rows, split from the redacted text. */
  table?: { columns: string[]; rows: string[][] };
};

export type State = {
  items: StateItem[];
  response: ResponseEntry[];
  /** Redactions whose text is gone from the record: the response cannot be approved or packed. */
  stale: number;
  /** The words removed (for the pack's last check), never stored or logged. */
  removed: string[];
};

function suggestionsFor(
  c: Content,
  subjects: ReadonlySet<string>,
  staff: boolean,
): StateItem['suggestions'] {
  const out = new Map<string, StateItem['suggestions'][number]>();
  for (const p of c.people) {
    if (p.pupilId !== undefined && subjects.has(p.pupilId)) continue;
    if (p.kind === 'staff' && !staff) continue;
    const parts = [p.name, ...p.name.split(/\s+/).filter((w) => w.length >= 3)];
    for (const part of parts)
      for (const at of placesOf(c.text, part)) {
        const key = `${at.start}:${at.end}`;
        if (![...out.values()].some((o) => o.start <= at.start && o.end >= at.end))
          out.set(key, { ...p, ...at });
      }
  }
  return [...out.values()].sort((a, b) => a.start - b.start);
}

export async function loadState(t: Tx, requestId: string): Promise<State> {
  const rows = await t.q<ItemRow>(
    `SELECT id, pupil_id, source, source_id, found_as, role, happened_at, included, reason
     FROM dp_request_items WHERE request_id = $1 ORDER BY happened_at, source, source_id`,
    [requestId],
  );
  const reds = await t.q<RedactionRow>(
    `SELECT r.id, r.item_id, r.start_at, r.end_at, r.span_digest, r.reason, r.can_redact,
       r.consent, r.reasonable, u.name AS by_name, r.created_at
     FROM dp_redactions r JOIN users u ON u.id = r.created_by
     WHERE r.request_id = $1 ORDER BY r.start_at, r.id`,
    [requestId],
  );
  const subjects = new Set(
    (
      await t.q<{ pupil_id: string }>(
        'SELECT pupil_id FROM dp_request_subjects WHERE request_id = $1',
        [requestId],
      )
    ).map((s) => s.pupil_id),
  );
  const [contents, staff, key] = [
    await readContents(t, rows),
    await redactsStaff(t),
    (await t.sealer()).searchKey,
  ];
  const held = await heldBackItems(t, rows);
  const removed: string[] = [];
  let stale = 0;
  const response: ResponseEntry[] = [];
  const items = rows.map((row): StateItem => {
    const content = contents.get(row.id) ?? GONE;
    const gone = content === GONE;
    const redactions = reds
      .filter((r) => r.item_id === row.id)
      .map((r) => ({
        ...r,
        placed: locate(key, content.text, {
          start: r.start_at,
          end: r.end_at,
          digest: r.span_digest,
        }),
        elsewhere: 0,
      }));
    if (row.included && !gone) {
      const placed: PlacedRedaction[] = [];
      for (const r of redactions) {
        if (!r.placed) stale++;
        else {
          placed.push({ ...r.placed, reason: r.reason });
          removed.push(content.text.slice(r.placed.start, r.placed.end));
        }
      }
      const text = applyRedactions(content.text, placed);
      response.push({
        happenedAt: row.happened_at.toISOString(),
        source: row.source,
        title: content.title,
        author: staff && content.authorIsStaff ? 'A member of staff' : content.author,
        text,
        ...(content.columns
          ? {
              table: {
                columns: content.columns,
                rows: text === '' ? [] : text.split('\n').map((l) => l.split('\t')),
              },
            }
          : {}),
      });
    }
    return {
      row,
      content,
      gone,
      heldBack: held.has(row.id),
      redactions,
      suggestions: suggestionsFor(content, subjects, staff),
    };
  });
  countElsewhere(items);
  return { items, response, stale, removed };
}

/**
 * For each redaction, the places its words still stand unredacted in the included items (the
 * check issue 17 asks for): redacting one place of a name that appears three times leaves two.
 * A redaction on an item held back from the actor counts 0, and held-back items are not counted.
 */
function countElsewhere(items: StateItem[]): void {
  // Only over the items this actor may read: a count over a held-back item's text would tell
  // them whether words stand in a record they may not see (review, session 13).
  const open = items.filter((i) => i.row.included && !i.gone && !i.heldBack);
  const covered = (i: StateItem, at: { start: number; end: number }) =>
    i.redactions.some((r) => r.placed && r.placed.start <= at.start && r.placed.end >= at.end);
  for (const item of items)
    for (const r of item.redactions) {
      if (!r.placed || item.heldBack) continue;
      const span = item.content.text.slice(r.placed.start, r.placed.end);
      let n = 0;
      for (const other of open)
        for (const at of placesOf(other.content.text, span)) if (!covered(other, at)) n++;
      r.elsewhere = n;
    }
}

/** The response's content, as the JSON copy carries it and the approval and pack hash it. */
export function responseJson(response: readonly ResponseEntry[]): string {
  return JSON.stringify({ items: response }, null, 2);
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
