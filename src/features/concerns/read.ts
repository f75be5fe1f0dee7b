// Reading concerns back: one query shape for a single record and for lists, every row passed
// through the policy (canRead) on top of the visibleWhere filter, and every read audited.
import { stepUpRequired } from '../../core/access/step-up.ts';
import type { Tx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';
import type { BodyMapMark } from '../../shared/body-map.ts';
import type { Sealer } from '../../platform/crypto/school-keys.ts';
import type { ConcernView } from '../../shared/schemas/concerns.ts';
import { restrictedRecordSql } from '../../core/access/processing-restriction.ts';
import { statementsOn } from '../data-protection/rights/service.ts';
import { LATEST_TRIAGE_SQL, presentTriage, type TriageRow } from './triage-view.ts';
import {
  allowedActions,
  canRead,
  candidateConcerns,
  pupilAsSeen,
  visibleWhere,
  type ConcernMeta,
} from './policy.ts';

export type ConcernRow = {
  id: string;
  author_id: string;
  author_name: string;
  happened_at: Date;
  recorded_at: Date;
  location: Buffer | null;
  body: Buffer;
  body_map: Buffer | null;
  status: string;
  case_id: string | null;
  version: number;
  verbally_informed: { id: string; name: string } | null;
  pupils: {
    id: string;
    name: string;
    role: string;
    yearGroup: string | null;
    form: string | null;
    groupRefs: string[];
  }[];
  categories: { id: string; name: string; colour: string; restricted: boolean }[];
  attachments: { id: string; name: string; mime: string; sizeBytes: number; uploadedAt: string }[];
  triage: TriageRow | null;
  /** Under a restriction of processing in force (Article 18; issue 17). */
  processing_restricted: boolean;
};

/**
 * A concern's status, derived from its case (over alias `c`): open while it has no case or its
 * case is open, closed once the case is closed or marked "no further action" (and open again if
 * the case is reopened). Derived rather than stored, so it can never disagree with the case; the
 * old concerns.status column (migration 0001) is not read or written.
 */
export const CONCERN_STATUS_SQL = `(CASE WHEN EXISTS (SELECT 1 FROM cases cs
    WHERE cs.id = c.case_id AND cs.status <> 'open') THEN 'closed' ELSE 'open' END)`;

export const SELECT_VIEW = `
  SELECT c.id, c.author_id, u.name AS author_name, c.happened_at, c.recorded_at, c.location,
         c.body, c.body_map, ${CONCERN_STATUS_SQL} AS status, c.case_id, c.version,
         (SELECT json_build_object('id', v.id, 'name', v.name) FROM users v
           WHERE v.id = c.verbally_informed_id) AS verbally_informed,
         coalesce((SELECT json_agg(json_build_object('id', p.id,
                    'name', coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name,
                    'role', cp.role, 'yearGroup', p.year_group, 'form', p.form,
                    'groupRefs', lantern_pupil_group_refs(p.id, p.form))
                    ORDER BY p.last_name, p.first_name)
                   FROM concern_pupils cp JOIN pupils p ON p.id = cp.pupil_id
                   WHERE cp.concern_id = c.id), '[]'::json) AS pupils,
         coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name, 'colour', k.colour,
                    'restricted', k.restricted) ORDER BY k.sort_order)
                   FROM concern_categories cc JOIN categories k ON k.id = cc.category_id
                   WHERE cc.concern_id = c.id), '[]'::json) AS categories,
         coalesce((SELECT json_agg(json_build_object('id', a.id, 'name', encode(a.name, 'base64'),
                    'mime', a.mime, 'sizeBytes', a.size_bytes, 'uploadedAt', a.uploaded_at)
                    ORDER BY a.uploaded_at)
                   FROM attachments a WHERE a.concern_id = c.id), '[]'::json) AS attachments,
         ${LATEST_TRIAGE_SQL} AS triage,
         ${restrictedRecordSql('c')} AS processing_restricted
  FROM concerns c JOIN users u ON u.id = c.author_id`;

export function metaOf(
  r: Pick<ConcernRow, 'author_id' | 'categories' | 'pupils'> & { processing_restricted?: boolean },
): ConcernMeta {
  return {
    authorId: r.author_id,
    processingRestricted: r.processing_restricted === true,
    categories: r.categories.map((k) => ({ id: k.id, restricted: k.restricted })),
    pupils: r.pupils.map((p) => ({
      id: p.id,
      yearGroup: p.yearGroup,
      form: p.form,
      groupRefs: p.groupRefs,
    })),
  };
}

export function presentConcern(
  t: Tx,
  sealer: Sealer,
  r: ConcernRow,
  myAlerts: string[] = [],
): ConcernView {
  const allowed = allowedActions(t.actor, metaOf(r));
  return {
    id: r.id,
    happenedAt: r.happened_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    location: r.location ? sealer.open('concerns.location', r.id, r.location) : null,
    body: sealer.open('concerns.body', r.id, r.body),
    status: r.status,
    author: { id: r.author_id, name: r.author_name },
    pupils: r.pupils.map((p) => ({
      ...pupilAsSeen(t.actor, p, { knownTo: [r.author_id] }),
      role: p.role,
    })),
    categories: r.categories.map((k) => ({ id: k.id, name: k.name, colour: k.colour })),
    bodyMap: r.body_map
      ? sealer.openJson<BodyMapMark[]>('concerns.body_map', r.id, r.body_map)
      : [],
    verballyInformed: r.verbally_informed,
    caseId: r.case_id,
    version: r.version,
    attachments: r.attachments.map((a) => ({
      id: a.id,
      name: sealer.open('attachments.name', a.id, Buffer.from(a.name, 'base64')),
      mime: a.mime,
      sizeBytes: a.sizeBytes,
      uploadedAt: new Date(a.uploadedAt).toISOString(),
    })),
    allowed,
    // The DSL team's decision and its reason are theirs: nobody else is sent it.
    triage: allowed.includes('triage') ? presentTriage(sealer, r.triage) : null,
    myAlerts,
  };
}

/**
 * The newest `limit` concerns matching `where` (over alias `c`), as full rows. The matching and
 * ordering run first on the bare table (indexes, no per-row work); the view — pupils,
 * categories, attachments — is built only for the rows that are returned.
 */
export function newestConcernsSql(where: string, limitParam: string): string {
  return `WITH hit AS (
      SELECT c.id, c.happened_at FROM concerns c WHERE ${where}
      ORDER BY c.happened_at DESC, c.id LIMIT ${limitParam})
    ${SELECT_VIEW} JOIN hit ON hit.id = c.id ORDER BY hit.happened_at DESC, c.id`;
}

/**
 * The row if the viewer may read it. Someone who could after a second factor gets 403
 * step_up_required; anyone else 404 (never "exists but not yours").
 */
export async function readableConcernRow(t: Tx, id: string): Promise<ConcernRow> {
  const [row] = await t.q<ConcernRow>(`${SELECT_VIEW} WHERE c.id = $1`, [id]);
  if (!row) throw notFound('That concern');
  if (canRead(t.actor, metaOf(row))) return row;
  // Someone who could read it after a second factor is asked for one; to anyone else it does
  // not exist.
  if (!t.actor.elevated && canRead({ ...t.actor, elevated: true }, metaOf(row))) {
    throw stepUpRequired();
  }
  throw notFound('That concern');
}

export async function getConcern(t: Tx, id: string): Promise<ConcernView> {
  const row = await readableConcernRow(t, id);
  await t.audit({ action: 'concern.viewed', targetType: 'concern', targetId: id });
  // The viewer's own alerts about it, so it can be acknowledged where it is read (issue 14).
  const alerts = await t.q<{ id: string }>(
    `SELECT id FROM alerts WHERE recipient_id = $1 AND target_type = 'concern'
       AND target_id = $2 AND acknowledged_at IS NULL ORDER BY created_at`,
    [t.actor.userId, id],
  );
  const view = presentConcern(
    t,
    await t.sealer(),
    row,
    alerts.map((a) => a.id),
  );
  // The subject's statements travel with the record to whoever may read it (Article 16).
  const statements = await statementsOn(t, id);
  return statements.length > 0 ? { ...view, subjectStatements: statements } : view;
}

/**
 * Above this many candidate records a member's page is found by walking the school's newest
 * records (a page of theirs is at least this dense among them); below it, from the candidates.
 */
const CANDIDATE_BOUND = 2_000;

async function fewerThan(t: Tx, q: { sql: string; params: unknown[] }, bound: number) {
  const [row] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM (${q.sql} LIMIT ${bound}) k`,
    q.params,
  );
  return (row?.n ?? 0) < bound;
}

export async function listConcerns(
  t: Tx,
  opts: { mine: boolean; pupilId?: string; limit: number },
): Promise<ConcernView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.mine) {
    params.push(t.actor.userId);
    where.push(`c.author_id = $${params.length}`);
  }
  if (opts.pupilId) {
    params.push(opts.pupilId);
    where.push(
      `EXISTS (SELECT 1 FROM concern_pupils x WHERE x.concern_id = c.id AND x.pupil_id = $${params.length})`,
    );
  }
  // A member whose grants cover only some pupils (a form, a class, a year group) has their page
  // found from those pupils' records when they are few; otherwise the newest-first walk of the
  // school's records meets a page of theirs soon enough (issue 12).
  const candidates = candidateConcerns(t.actor, 1);
  if (
    candidates &&
    !opts.mine &&
    !opts.pupilId &&
    (await fewerThan(t, candidates, CANDIDATE_BOUND))
  ) {
    const again = candidateConcerns(t.actor, params.length + 1)!;
    where.push(`c.id IN (${again.sql})`);
    params.push(...again.params);
  }
  const visible = visibleWhere(t.actor, params.length + 1);
  where.push(visible.sql);
  params.push(...visible.params, opts.limit);
  const rows = (
    await t.q<ConcernRow>(newestConcernsSql(where.join(' AND '), `$${params.length}`), params)
  ).filter((r) => canRead(t.actor, metaOf(r)));
  if (rows.length === 0) return [];
  await t.audit({
    action: 'concern.listed',
    targetType: opts.pupilId ? 'pupil' : 'concern',
    targetId: opts.pupilId,
    details: { concerns: rows.map((r) => r.id) },
  });
  const sealer = await t.sealer();
  return rows.map((r) => presentConcern(t, sealer, r));
}
