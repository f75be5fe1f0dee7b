// Gathering (issue 17): one action, in one transaction, finds every record in which a request's
// subject appears — as the pupil, as a linked pupil (a concern's victim, witness...), through
// their contacts, named in free text (the blind index, by the subject's names), their MIS data
// and MIS events, the alerts raised about their records, the audit entries about their record,
// and the attachments of their concerns — and stores each as an item of the request: a reference
// to its source, never a copy of its text. Re-gathering adds what is new and keeps every decision
// and redaction made. The DPO's gathering reads every record about the child whatever their own
// category grants (a response must be complete); it is audited as a read of the child's record.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { pupilTargetsSql } from '../../audit-trail/service.ts';
import { blindTokens, tokenize } from '../../search/blind-index.ts';
import { anyAwaitingReindex } from '../../search/reindex.ts';
import { conflict } from '../../../core/errors.ts';
import { findMore, findRequester, type Row } from './gather-more.ts';
import { AUDIT_TABLE_FILTER } from './content-audit.ts';
import type { FoundAs, ItemSource } from '../../../shared/schemas/subject-access.ts';

type Found = {
  source: ItemSource;
  sourceId: string;
  foundAs: FoundAs;
  role: string | null;
  at: Date | string;
  pupilId: string;
};

/** Every record about one subject, most direct way first (the first way found is kept). */
async function findFor(t: Tx, pupilId: string, searchKey: Buffer): Promise<Found[]> {
  const out: Found[] = [];
  const add = (source: ItemSource, foundAs: FoundAs, rows: Row[]) => {
    for (const r of rows)
      out.push({ source, sourceId: r.id, foundAs, role: r.role ?? null, at: r.at, pupilId });
  };
  const concerns = await t.q<Row>(
    `SELECT c.id, c.happened_at AS at, cp.role FROM concern_pupils cp
     JOIN concerns c ON c.id = cp.concern_id WHERE cp.pupil_id = $1`,
    [pupilId],
  );
  add(
    'concern',
    'pupil',
    concerns.filter((c) => c.role === 'subject'),
  );
  add(
    'concern',
    'linked_pupil',
    concerns.filter((c) => c.role !== 'subject'),
  );
  const byPupil: [ItemSource, string][] = [
    [
      'action',
      'SELECT id, coalesce(completed_at, created_at) AS at FROM actions WHERE pupil_id = $1',
    ],
    ['referral', 'SELECT id, referred_at AS at FROM referrals WHERE pupil_id = $1'],
    ['conversation', 'SELECT id, happened_at AS at FROM conversations WHERE pupil_id = $1'],
    [
      'case_event',
      'SELECT e.id, e.at FROM case_events e JOIN cases k ON k.id = e.case_id WHERE k.pupil_id = $1',
    ],
  ];
  for (const [source, sql] of byPupil) add(source, 'pupil', await t.q<Row>(sql, [pupilId]));
  add(
    'mis_event',
    'mis',
    await t.q<Row>('SELECT id, happened_at AS at FROM pupil_events WHERE pupil_id = $1', [pupilId]),
  );
  const [pupil] = await t.q<{
    first_name: string;
    last_name: string;
    preferred_name: string | null;
    created_at: Date;
  }>('SELECT first_name, last_name, preferred_name, created_at FROM pupils WHERE id = $1', [
    pupilId,
  ]);
  if (!pupil) return out;
  add('mis_record', 'mis', [{ id: pupilId, at: pupil.created_at }]);
  const contacts = await t.q('SELECT 1 FROM pupil_contacts WHERE pupil_id = $1 LIMIT 1', [pupilId]);
  if (contacts.length > 0) add('contacts', 'contact', [{ id: pupilId, at: pupil.created_at }]);

  // Named in free text: records holding every word of one of the subject's names (the blind
  // index answers without the database reading any text). While some of the school's records are
  // not yet re-indexed at the current index version (search-reindex after an upgrade), they
  // cannot be found by the name: a response must be complete, so gathering waits for it.
  if (await anyAwaitingReindex(t))
    throw conflict(
      'Lantern is still rebuilding its search index after an upgrade, so records that name the child in their text cannot all be found yet. Nothing was gathered: try again in a few minutes.',
    );
  const names = [
    `${pupil.first_name} ${pupil.last_name}`,
    ...(pupil.preferred_name ? [`${pupil.preferred_name} ${pupil.last_name}`] : []),
  ];
  for (const name of names) {
    const tokens = blindTokens(searchKey, tokenize(name));
    if (tokens.length === 0) continue;
    for (const [source, sql] of [
      ['concern', 'SELECT id, happened_at AS at FROM concerns WHERE search_tokens @> $1::text[]'],
      [
        'action',
        'SELECT id, coalesce(completed_at, created_at) AS at FROM actions WHERE search_tokens @> $1::text[]',
      ],
      [
        'conversation',
        'SELECT id, happened_at AS at FROM conversations WHERE search_tokens @> $1::text[]',
      ],
    ] as const)
      add(source, 'named', await t.q<Row>(sql, [tokens]));
  }

  // Alerts and attachments of the records found; audit entries about the child's record (but
  // not the data-protection register's own, such as this gathering).
  const ids = (s: ItemSource) => out.filter((f) => f.source === s).map((f) => f.sourceId);
  add(
    'alert',
    'alert',
    await t.q<Row>(
      `SELECT id, created_at AS at FROM alerts
       WHERE (target_type = 'concern' AND target_id = ANY($1::uuid[]))
          OR (target_type = 'referral' AND target_id = ANY($2::uuid[]))
          OR (target_type = 'action' AND target_id = ANY($3::uuid[]))`,
      [ids('concern'), ids('referral'), ids('action')],
    ),
  );
  add(
    'attachment',
    'attachment',
    await t.q<Row>(
      'SELECT id, uploaded_at AS at FROM attachments WHERE concern_id = ANY($1::uuid[])',
      [ids('concern')],
    ),
  );
  // The audit entries about every record of the child (but not the data-protection register's
  // own, such as this gathering): ONE item, a table, up to the last entry when gathered (so the
  // response does not move under its approval each time someone reads the record).
  const [log] = await t.q<{ first: Date | null; last: string | null }>(
    `SELECT min(e.at) AS first, max(e.seq)::text AS last
     FROM audit_events e JOIN (${pupilTargetsSql()}) pt
       ON e.target_type = pt.target_type AND e.target_id = pt.target_id
     WHERE e.school_id = $2 AND ${AUDIT_TABLE_FILTER}`,
    [pupilId, t.schoolId],
  );
  if (log?.first && log.last)
    add('audit', 'audit', [{ id: `${pupilId}:${log.last}`, at: log.first }]);
  await findMore(t, pupilId, pupil.created_at, add);
  return out;
}

/** Gathers for every subject of the request; returns how many items are new and the total. */
export async function gatherItems(
  t: Tx,
  requestId: string,
  subjects: readonly string[],
): Promise<{ added: number; total: number }> {
  const sealer = await t.sealer();
  const found: Found[] = [];
  for (const pupilId of subjects) found.push(...(await findFor(t, pupilId, sealer.searchKey)));
  // A requester who is one of the school's contacts: their own data, as undecided items.
  const [req] = await t.q<{ contact: string | null }>(
    'SELECT requester_contact_id AS contact FROM dp_requests WHERE id = $1',
    [requestId],
  );
  if (req?.contact && subjects[0])
    await findRequester(t, req.contact, (source, foundAs, rows) => {
      for (const r of rows)
        found.push({
          source,
          sourceId: r.id,
          foundAs,
          role: null,
          at: r.at,
          pupilId: subjects[0]!,
        });
    });
  // The audit item reaches to the last entry when gathered: gathering again moves it on (a
  // change to the response, so it counts as new), keeping its decision and redactions.
  let moved = 0;
  for (const f of found.filter((x) => x.source === 'audit' && x.sourceId.includes(':'))) {
    const rows = await t.q(
      `UPDATE dp_request_items SET source_id = $3
       WHERE request_id = $1 AND source = 'audit' AND source_id LIKE $2 || ':%' AND source_id <> $3
       RETURNING id`,
      [requestId, f.pupilId, f.sourceId],
    );
    moved += rows.length;
  }
  const seen = new Set<string>();
  const fresh = found.filter((f) => {
    const key = `${f.source}:${f.sourceId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const added = await t.q<{ id: string }>(
    `INSERT INTO dp_request_items (id, school_id, request_id, pupil_id, source, source_id,
       found_as, role, happened_at, gathered_at)
     SELECT u.id, $1, $2, u.pupil_id, u.source, u.source_id, u.found_as, u.role, u.at, $3
     FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[],
                 $10::timestamptz[]) AS u(id, pupil_id, source, source_id, found_as, role, at)
     ON CONFLICT (school_id, request_id, source, source_id) DO NOTHING
     RETURNING id`,
    [
      t.schoolId,
      requestId,
      t.now,
      fresh.map(() => randomUUID()),
      fresh.map((f) => f.pupilId),
      fresh.map((f) => f.source),
      fresh.map((f) => f.sourceId),
      fresh.map((f) => f.foundAs),
      fresh.map((f) => f.role),
      fresh.map((f) => f.at),
    ],
  );
  // A request gathered before session 13 holds one item for each audit entry: once the table
  // holds them, those still included are excluded as duplicates of it (so nothing goes twice).
  const tables = fresh.filter((f) => f.source === 'audit' && f.sourceId.includes(':'));
  const superseded = tables.length
    ? await t.q(
        `UPDATE dp_request_items SET included = false, reason = 'duplicate', decided_by = $3,
           decided_at = $4
         WHERE request_id = $1 AND source = 'audit' AND pupil_id = ANY($2::uuid[])
           AND source_id NOT LIKE '%:%' AND included
         RETURNING id`,
        [requestId, tables.map((f) => f.pupilId), t.actor.userId, t.now],
      )
    : [];
  const [{ n } = { n: 0 }] = await t.q<{ n: number }>(
    'SELECT count(*)::int AS n FROM dp_request_items WHERE request_id = $1',
    [requestId],
  );
  return { added: added.length + moved + superseded.length, total: n };
}
