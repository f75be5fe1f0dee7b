// Working a subject-access response (issue 17): gather, decide each item, redact, mark ready, the
// second person's approval, and the workbench as the handler reads it. Each change is one
// transaction with its audit entry. What this protects: nothing leaves without a second person
// having approved exactly what leaves — any change after approval (a decision, a redaction, a new
// item gathered) withdraws the approval in the same transaction, and the approval records the
// digest of the response it saw. To change safely: every function that changes what the response
// holds must call `changed` before it returns.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../../core/context.ts';
import { badRequest, conflict, DomainError, notFound } from '../../../core/errors.ts';
import {
  EXCLUDE_REASONS,
  INCLUDE_REASONS,
  type ItemDecision,
  type ItemSource,
  type NewRedaction,
} from '../../../shared/schemas/subject-access.ts';
import { RELEASING_KINDS } from '../policy.ts';
import { loadRequest, todayInEngland, type RequestRow } from '../requests/load.ts';
import { gatherItems } from './gather.ts';
import { HELD_BACK_NOTE, refuseHeldBack } from './held-back.ts';
import { placesOf, spanDigest } from './redact.ts';
import { loadState, responseJson, sha256, type State, type StateItem } from './state.ts';

export type Review = {
  gathered_at: Date | null;
  ready_at: Date | null;
  ready_by: string | null;
  ready_name: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  approved_name: string | null;
  approved_digest: string | null;
};

export async function reviewOf(t: Tx, id: string): Promise<Review> {
  const [r] = await t.q<Review>(
    `SELECT r.gathered_at, r.ready_at, r.ready_by, rb.name AS ready_name, r.approved_at,
       r.approved_by, ab.name AS approved_name, r.approved_digest
     FROM dp_requests r LEFT JOIN users rb ON rb.id = r.ready_by
     LEFT JOIN users ab ON ab.id = r.approved_by WHERE r.id = $1`,
    [id],
  );
  return r!;
}

/** The request, locked, open, and of a kind that releases data. */
export async function openSarRequest(
  t: Tx,
  id: string,
  lock = true,
  mustBeOpen = true,
): Promise<RequestRow> {
  const r = await loadRequest(t, id, todayInEngland(t.now), lock);
  if (!r) throw notFound('That request');
  if (!RELEASING_KINDS.includes(r.kind))
    throw new DomainError(
      'invalid',
      'nothing_to_release',
      'Only a subject-access, educational-record or portability request gathers records.',
    );
  if (mustBeOpen && r.status !== 'open') throw conflict('That request is closed.');
  return r;
}

/** Sends the response back to its handler: the approval (and readiness) no longer hold. */
async function changed(t: Tx, id: string, because: string): Promise<void> {
  const rows = await t.q<{ id: string }>(
    `UPDATE dp_requests SET ready_at = NULL, ready_by = NULL, approved_at = NULL,
       approved_by = NULL, approved_digest = NULL
     WHERE id = $1 AND (ready_at IS NOT NULL OR approved_at IS NOT NULL) RETURNING id`,
    [id],
  );
  if (rows.length > 0)
    await t.audit({
      action: 'dp.sar_approval_withdrawn',
      targetType: 'dp_request',
      targetId: id,
      details: { because },
    });
}

export async function gather(t: Tx, id: string): Promise<{ added: number; total: number }> {
  const r = await openSarRequest(t, id);
  const subjects = r.subjects.map((s) => s.id);
  const result = await gatherItems(t, id, subjects);
  await t.q('UPDATE dp_requests SET gathered_at = $2 WHERE id = $1', [id, t.now]);
  // Gathering reads each child's whole record: an event on each child's own trail.
  for (const pupil of subjects)
    await t.audit({
      action: 'dp.sar_gathered',
      targetType: 'pupil',
      targetId: pupil,
      details: { request: id, ...result },
    });
  if (result.added > 0) await changed(t, id, 'gathered');
  return result;
}

export async function decideItem(
  t: Tx,
  id: string,
  itemId: string,
  body: ItemDecision,
): Promise<void> {
  await openSarRequest(t, id);
  const allowed: readonly string[] = body.included ? INCLUDE_REASONS : EXCLUDE_REASONS;
  if (!allowed.includes(body.reason))
    throw badRequest(
      body.included
        ? 'An included item is about the subject: choose “about the subject”.'
        : 'Say why the item is left out: not about the subject, a duplicate, or an exemption.',
      'bad_reason',
    );
  const [target] = await t.q<{ id: string; source: ItemSource; source_id: string }>(
    'SELECT id, source, source_id FROM dp_request_items WHERE id = $2 AND request_id = $1',
    [id, itemId],
  );
  if (!target) throw notFound('That item');
  await refuseHeldBack(t, target);
  const rows = await t.q(
    `UPDATE dp_request_items SET included = $3, reason = $4, decided_by = $5, decided_at = $6
     WHERE id = $2 AND request_id = $1 RETURNING id`,
    [id, itemId, body.included, body.reason, t.actor.userId, t.now],
  );
  if (rows.length === 0) throw notFound('That item');
  await t.audit({
    action: 'dp.sar_item_decided',
    targetType: 'dp_request',
    targetId: id,
    details: { item: itemId, included: body.included, reason: body.reason },
  });
  await changed(t, id, 'item_decided');
}

const REASON_NEEDED =
  'Every redaction needs its reason: third party, child-abuse data, serious harm, crime, legal privilege or confidential reference.';
const QUESTIONS_NEEDED =
  'For a third party, answer the ICO’s three questions: can the information be redacted, has the third party consented, and is disclosure reasonable anyway?';

export async function redact(
  t: Tx,
  id: string,
  itemId: string,
  body: NewRedaction,
): Promise<string[]> {
  if (body.reason === undefined) throw badRequest(REASON_NEEDED, 'reason_needed');
  const third = body.reason === 'third_party';
  if (
    third &&
    (body.canRedact === undefined || body.consent === undefined || body.reasonable === undefined)
  )
    throw badRequest(QUESTIONS_NEEDED, 'ico_questions_needed');
  if (body.end <= body.start) throw badRequest('Choose some text to redact.', 'empty_span');
  await openSarRequest(t, id);
  const state = await loadState(t, id);
  const item = state.items.find((i) => i.row.id === itemId);
  if (!item) throw notFound('That item');
  if (item.heldBack) throw new DomainError('forbidden', 'held_back', `${HELD_BACK_NOTE}.`);
  if (item.gone) throw conflict('That record no longer exists.');
  const text = item.content.text;
  const span = text.slice(body.start, body.end);
  if (body.end > text.length || span.trim() === '')
    throw badRequest('Choose some text of the item to redact.', 'empty_span');
  if (body.text !== undefined && body.text !== span)
    throw conflict('The record’s text has changed since it was shown: reload and choose again.');
  // A table (the audit log) is split into its cells after redaction: a redaction may not run from
  // one cell or row into the next, or the table would lose its shape.
  const crosses = (i: StateItem, at: { start: number; end: number }) =>
    i.content.columns !== undefined && /[\t\n]/.test(i.content.text.slice(at.start, at.end));
  if (crosses(item, body))
    throw badRequest(
      'In a table, redact within one cell at a time: the words chosen run into the next cell or row.',
      'crosses_cells',
    );
  // "Everywhere": the same words wherever else they stand in the included items.
  const places: { itemId: string; start: number; end: number }[] = [
    { itemId, start: body.start, end: body.end },
  ];
  if (body.everywhere === true)
    for (const other of state.items)
      // Not into items the actor may not read: the DSL team redacts those.
      if (other.row.included && !other.gone && !other.heldBack)
        for (const at of placesOf(other.content.text, span))
          if (!(other.row.id === itemId && at.start === body.start) && !crosses(other, at))
            places.push({ itemId: other.row.id, ...at });
  const key = (await t.sealer()).searchKey;
  const ids: string[] = [];
  for (const p of places) {
    const text = state.items.find((i) => i.row.id === p.itemId)!.content.text;
    const rid = randomUUID();
    ids.push(rid);
    await t.q(
      `INSERT INTO dp_redactions (id, school_id, request_id, item_id, start_at, end_at,
         span_digest, reason, can_redact, consent, reasonable, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        rid,
        t.schoolId,
        id,
        p.itemId,
        p.start,
        p.end,
        spanDigest(key, text.slice(p.start, p.end)),
        body.reason,
        third ? body.canRedact : null,
        third ? body.consent : null,
        third ? body.reasonable : null,
        t.actor.userId,
        t.now,
      ],
    );
  }
  await t.audit({
    action: 'dp.sar_redacted',
    targetType: 'dp_request',
    targetId: id,
    details: { item: itemId, reason: body.reason, count: ids.length },
  });
  await changed(t, id, 'redacted');
  return ids;
}

export async function removeRedaction(t: Tx, id: string, redactionId: string): Promise<void> {
  await openSarRequest(t, id);
  const rows = await t.q<{ item_id: string; source: ItemSource; source_id: string }>(
    `SELECT r.item_id, i.source, i.source_id FROM dp_redactions r
     JOIN dp_request_items i ON i.id = r.item_id WHERE r.id = $2 AND r.request_id = $1`,
    [id, redactionId],
  );
  if (rows.length === 0) throw notFound('That redaction');
  await refuseHeldBack(t, { ...rows[0]!, id: rows[0]!.item_id });
  await t.q('DELETE FROM dp_redactions WHERE id = $2 AND request_id = $1', [id, redactionId]);
  await t.audit({
    action: 'dp.sar_redaction_removed',
    targetType: 'dp_request',
    targetId: id,
    details: { item: rows[0]!.item_id },
  });
  await changed(t, id, 'redaction_removed');
}

/** A response that may be reviewed at all: gathered, something included, nothing stale. */
function reviewable(state: State): void {
  if (state.items.length === 0) throw conflict('Gather the records first.');
  if (state.response.length === 0)
    throw conflict('Nothing is included: include at least one item, or close the request.');
  if (state.stale > 0)
    throw new DomainError(
      'conflict',
      'stale_redactions',
      `${state.stale} redaction(s) no longer match the record’s text: remove them and redact again.`,
    );
}

export async function markReady(t: Tx, id: string): Promise<void> {
  await openSarRequest(t, id);
  const review = await reviewOf(t, id);
  if (review.ready_at !== null) throw conflict('The response is already marked ready.');
  // Every item needs a decision of its own: an item found about another child (a witness, a
  // mention) must not go out just because nobody looked at it.
  const [open] = await t.q<{ n: number }>(
    "SELECT count(*)::int AS n FROM dp_request_items WHERE request_id = $1 AND reason = 'gathered'",
    [id],
  );
  if (open!.n > 0)
    throw new DomainError(
      'conflict',
      'undecided_items',
      `${open!.n} item(s) still need a decision: include or exclude each one, with its reason, before marking the response ready.`,
    );
  reviewable(await loadState(t, id));
  await t.q('UPDATE dp_requests SET ready_at = $2, ready_by = $3 WHERE id = $1', [
    id,
    t.now,
    t.actor.userId,
  ]);
  await t.audit({ action: 'dp.sar_ready', targetType: 'dp_request', targetId: id });
}

export async function approve(t: Tx, id: string, seen: string): Promise<void> {
  await openSarRequest(t, id);
  const review = await reviewOf(t, id);
  if (review.ready_at === null)
    throw new DomainError(
      'conflict',
      'not_ready',
      'The handler has not marked the response ready for review.',
    );
  if (review.approved_at !== null) throw conflict('The response is already approved.');
  if (review.ready_by === t.actor.userId)
    throw new DomainError(
      'forbidden',
      'second_person_needed',
      'A second person must review the response: you prepared it, so someone else with the data-protection role must approve it.',
    );
  const state = await loadState(t, id);
  reviewable(state);
  const digest = sha256(responseJson(state.response));
  if (digest !== seen)
    throw new DomainError(
      'conflict',
      'response_changed',
      'The response has changed since you loaded it: reload the workbench, review it again, then approve.',
    );
  await t.q(
    'UPDATE dp_requests SET approved_at = $2, approved_by = $3, approved_digest = $4 WHERE id = $1',
    [id, t.now, t.actor.userId, digest],
  );
  await t.audit({
    action: 'dp.sar_approved',
    targetType: 'dp_request',
    targetId: id,
    details: { digest },
  });
}
