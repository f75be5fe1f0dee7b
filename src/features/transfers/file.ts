// The child-protection file as it is sent (issue 18): the whole file by default — every entry of
// the pupil's chronology as the sending DSL team sees it (every safeguarding record, open or
// closed, with its text; actions, referrals, conversations and case events; the MIS's moves) —
// with other pupils named in those records shown as the receiving school may see them (initials
// and role, never their ids). The DSL may leave an item out only with a reason for that item.
// A manifest lists every item sent with the SHA-256 of its canonical JSON, and the manifest's own
// SHA-256 seals the whole. What this protects: the receiver can check nothing was altered or
// dropped silently. To change safely: add a kind of record to the chronology's sources, never a
// filter here (the file must stay the whole file) — save the one the law asks for: a record
// under a restriction of processing, and the work about it, stays behind until it is lifted.
import { createHash } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import {
  restrictedRecordSql,
  restrictedWorkSql,
} from '../../core/access/processing-restriction.ts';
import { readChronology, type Position } from '../chronology/service.ts';
import { statementsByConcern, withStatements } from '../data-protection/rights/statements.ts';
import type { ChronologyEntry } from '../chronology/sources.ts';
import { bodyMapsOf } from '../chronology/export.ts';
import type { BodyMapMark } from '../../shared/body-map.ts';
import type { FileItem, ManifestEntry } from '../../shared/schemas/transfers.ts';

const BATCH = 250;

export type TransferFile = {
  pupil: { name: string; dateOfBirth: string | null; upn: string | null };
  items: FileItem[];
  withheld: { itemId: string; reason: string }[];
  manifest: ManifestEntry[];
  manifestSha256: string;
};

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${w[0]!.toUpperCase()}.`)
    .join('');

/** Another pupil as the receiver may see them: initials, or the label of one the DSL may not see. */
export const otherPupilName = (p: { id: string | null; name: string }) =>
  // A pupil hidden by pupilAsSeen has no id and a label ("Another pupil"), not a name: keep it.
  p.id === null ? p.name : initials(p.name);

function itemOf(e: ChronologyEntry, pupilId: string, bodyMap?: BodyMapMark[]): FileItem {
  return {
    // A concern's body map travels with it (and so is covered by its hash in the manifest).
    ...(bodyMap && bodyMap.length > 0 && { bodyMap }),
    id: `${e.kind}:${e.id}`,
    kind: e.kind,
    happenedAt: e.happenedAt,
    title: e.title,
    text: e.text,
    categories: e.categories.map((c) => c.name),
    author: e.author,
    pupils: e.pupils
      .filter((p) => p.id !== pupilId)
      .map((p) => ({ name: otherPupilName(p), role: p.role })),
    status: e.status,
  };
}

/** Canonical JSON (keys sorted), so the same item always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
export const sha256 = (value: unknown) =>
  createHash('sha256').update(canonical(value)).digest('hex');

/** Every item of the pupil's file, oldest first, as the acting DSL sees them. */
export async function fileItems(t: Tx, pupilId: string): Promise<FileItem[]> {
  const items: FileItem[] = [];
  // A record under a restriction of processing (Article 18) does not travel until it is lifted
  // (core/access/processing-restriction.ts), nor does the work about it — actions, referrals,
  // conversations and case events, whose text describes it: the one thing this file leaves out by
  // rule. Restrictions are few, so these sets are small.
  const work = (
    kind: string,
    table: string,
    a: string,
    refs: { concern?: string; case?: string },
  ) =>
    `SELECT '${kind}:' || ${a}.id::text AS id FROM ${table} ${a} WHERE ${restrictedWorkSql(refs)}`;
  const held = new Set(
    (
      await t.q<{ id: string }>(
        `SELECT 'concern:' || c.id::text AS id FROM concerns c
           JOIN concern_pupils cp ON cp.concern_id = c.id
          WHERE cp.pupil_id = $1 AND ${restrictedRecordSql('c')}
         UNION ALL ${work('action', 'actions', 'a', { concern: 'a.concern_id', case: 'a.case_id' })}
         UNION ALL ${work('referral', 'referrals', 'r', { concern: 'r.concern_id', case: 'r.case_id' })}
         UNION ALL ${work('conversation', 'conversations', 'v', { concern: 'v.concern_id', case: 'v.case_id' })}
         UNION ALL ${work('case_event', 'case_events', 'e', { concern: 'e.concern_id', case: 'e.case_id' })}`,
        [pupilId],
      )
    ).map((r) => r.id),
  );
  let after: Position | undefined;
  for (;;) {
    const page = await readChronology(
      t,
      pupilId,
      {},
      { size: BATCH, direction: 'oldest_first', ...(after && { after }) },
    );
    const maps = await bodyMapsOf(t, page.entries);
    // The subject's rectification statements travel with their record (issue 17).
    const statements = await statementsByConcern(
      t,
      page.entries.filter((e) => e.kind === 'concern').map((e) => e.id),
    );
    items.push(
      ...page.entries
        .map((e) =>
          itemOf(
            e.kind === 'concern' ? { ...e, text: withStatements(e.text, statements.get(e.id)) } : e,
            pupilId,
            e.kind === 'concern' ? maps.get(e.id) : undefined,
          ),
        )
        .filter((i) => !held.has(i.id)),
    );
    if (!page.more || !page.last) return items;
    after = page.last;
  }
}

/** The file to send: every item but those withheld, each withheld one only with its reason. */
export async function buildFile(
  t: Tx,
  pupilId: string,
  withhold: readonly { itemId: string; reason: string }[],
): Promise<TransferFile> {
  const [pupil] = await t.q<{ name: string; dob: string | null; upn: string | null }>(
    `SELECT first_name || ' ' || last_name AS name, date_of_birth::text AS dob, upn
     FROM pupils WHERE id = $1`,
    [pupilId],
  );
  const all = await fileItems(t, pupilId);
  const ids = new Set(all.map((i) => i.id));
  const withheld = new Map<string, string>();
  for (const w of withhold) {
    if (!ids.has(w.itemId))
      throw badRequest('A withheld item is not part of this file.', 'withhold');
    const reason = w.reason.trim();
    if (reason === '')
      throw badRequest('An item can be left out only with a reason for that item.', 'withhold');
    withheld.set(w.itemId, reason);
  }
  const items = all.filter((i) => !withheld.has(i.id));
  const manifest = items.map((i) => ({ itemId: i.id, kind: i.kind, sha256: sha256(i) }));
  return {
    pupil: { name: pupil!.name, dateOfBirth: pupil!.dob, upn: pupil!.upn },
    items,
    withheld: [...withheld].map(([itemId, reason]) => ({ itemId, reason })),
    manifest,
    manifestSha256: sha256(manifest),
  };
}

/** Whether a received file is whole: every item's hash and the manifest's own match. */
export function fileIsWhole(
  f: Pick<TransferFile, 'items' | 'manifest' | 'manifestSha256'>,
): boolean {
  if (sha256(f.manifest) !== f.manifestSha256 || f.manifest.length !== f.items.length) return false;
  return f.items.every(
    (item, i) => f.manifest[i]!.itemId === item.id && f.manifest[i]!.sha256 === sha256(item),
  );
}
