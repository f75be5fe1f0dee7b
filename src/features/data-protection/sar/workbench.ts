// The subject-access workbench as the handler reads it (issue 17): the items with their text,
// redactions and suggestions, the review, the packs and the disclosure log, and what may be done
// now (`allowed`). Reading it shows each child's records, so it is an event on each child's trail.
import type { Tx } from '../../../core/context.ts';
import { notFound } from '../../../core/errors.ts';
import {
  SOURCE_NAMES,
  type SarAction,
  type Workbench,
} from '../../../shared/schemas/subject-access.ts';
import { RELEASING_KINDS } from '../policy.ts';
import { loadRequest, todayInEngland } from '../requests/load.ts';
import { reviewOf, type Review } from './service.ts';
import { loadState, responseJson, sha256, type State } from './state.ts';

/** What may be done with the response now, as sent in `allowed`. */
function sarActions(t: Tx, review: Review, state: State, open: boolean): SarAction[] {
  if (!open) return [];
  const out: SarAction[] = ['gather'];
  if (state.items.length === 0) return out;
  out.push('edit');
  if (review.ready_at === null) out.push('ready');
  else if (review.approved_at === null && review.ready_by !== t.actor.userId) out.push('approve');
  if (review.approved_at !== null) out.push('pack', 'disclose');
  return out;
}

export async function readWorkbench(t: Tx, id: string): Promise<Workbench> {
  const r = await loadRequest(t, id, todayInEngland(t.now));
  if (!r) throw notFound('That request');
  if (!RELEASING_KINDS.includes(r.kind)) throw notFound('That request’s workbench');
  const review = await reviewOf(t, id);
  const state = await loadState(t, id);
  const sealer = await t.sealer();
  const packs = await t.q<{
    id: string;
    made_at: Date;
    made_by: string;
    pdf_sha256: string;
    json_sha256: string;
    csv_sha256: string;
    content_digest: string;
  }>(
    `SELECT p.id, p.made_at, u.name AS made_by, p.pdf_sha256, p.json_sha256, p.csv_sha256,
       p.content_digest
     FROM dp_request_packs p JOIN users u ON u.id = p.made_by
     WHERE p.request_id = $1 ORDER BY p.made_at DESC, p.id`,
    [id],
  );
  const disclosures = await t.q<{
    id: string;
    pack_id: string;
    recipient: Buffer;
    method: Workbench['disclosures'][number]['method'];
    disclosed_on: string;
    sha256: string;
    by: string;
    recorded_at: Date;
  }>(
    `SELECT d.id, d.pack_id, d.recipient, d.method, d.disclosed_on::text AS disclosed_on,
       d.sha256, u.name AS by, d.recorded_at
     FROM dp_disclosures d JOIN users u ON u.id = d.recorded_by
     WHERE d.request_id = $1 ORDER BY d.disclosed_on, d.recorded_at`,
    [id],
  );
  // The workbench shows each child's records: an event on each child's own trail.
  for (const s of r.subjects)
    await t.audit({
      action: 'dp.sar_workbench_viewed',
      targetType: 'pupil',
      targetId: s.id,
      details: { request: id, items: state.items.length },
    });
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    gatheredAt: iso(review.gathered_at),
    items: state.items.map((i) => ({
      id: i.row.id,
      source: i.row.source,
      foundAs: i.row.found_as,
      role: i.row.role,
      happenedAt: i.row.happened_at.toISOString(),
      title: i.heldBack ? SOURCE_NAMES[i.row.source] : i.content.title,
      author: i.heldBack ? null : i.content.author,
      text: i.heldBack ? '' : i.content.text,
      ...(i.content.columns && !i.heldBack ? { columns: i.content.columns } : {}),
      heldBack: i.heldBack,
      included: i.row.included,
      reason: i.row.reason,
      redactions: i.redactions.map((x) => ({
        id: x.id,
        start: x.placed?.start ?? x.start_at,
        end: x.placed?.end ?? x.end_at,
        reason: x.reason,
        thirdParty:
          x.reason === 'third_party'
            ? { canRedact: !!x.can_redact, consent: !!x.consent, reasonable: !!x.reasonable }
            : null,
        stale: x.placed === null,
        elsewhere: x.elsewhere,
        by: x.by_name,
        at: x.created_at.toISOString(),
      })),
      suggestions: (i.heldBack ? [] : i.suggestions).map((s) => ({
        name: s.name,
        kind: s.kind,
        role: s.role,
        start: s.start,
        end: s.end,
      })),
    })),
    review: {
      readyAt: iso(review.ready_at),
      readyBy: review.ready_name,
      approvedAt: iso(review.approved_at),
      approvedBy: review.approved_name,
      digest: sha256(responseJson(state.response)),
    },
    packs: packs.map((p) => ({
      id: p.id,
      madeAt: p.made_at.toISOString(),
      madeBy: p.made_by,
      pdfSha256: p.pdf_sha256,
      jsonSha256: p.json_sha256,
      csvSha256: p.csv_sha256,
      current: p.content_digest === review.approved_digest,
    })),
    disclosures: disclosures.map((d) => ({
      id: d.id,
      packId: d.pack_id,
      recipient: sealer.open('dp_disclosures.recipient', d.id, d.recipient),
      method: d.method,
      disclosedOn: d.disclosed_on,
      sha256: d.sha256,
      recordedBy: d.by,
      recordedAt: d.recorded_at.toISOString(),
    })),
    allowed: sarActions(t, review, state, r.status === 'open'),
  };
}
