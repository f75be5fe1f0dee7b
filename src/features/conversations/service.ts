// Meetings and conversations with parents, carers and the child, and the decisions taken in them
// (for example starting an Early Help Assessment). Recorded like a concern: sealed text, indexed
// words, on the pupil's chronology by when it happened. One about a restricted matter (its concern,
// or a concern of its case, in a restricted category) is read only by those granted every such
// category: conversationTouchesGranted (policy.ts), used by every reader (chronology, search).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import { blindDocument, INDEX_VERSION } from '../search/blind-index.ts';
import { requireLinkableConcern, shareLinkableCase } from '../cases/service.ts';
import { CLOCK_SKEW_MS } from '../../shared/limits.ts';
import type { NewConversation } from '../../shared/schemas/conversations.ts';

export async function createConversation(t: Tx, c: NewConversation): Promise<string> {
  const text = c.text.trim();
  if (!text) throw badRequest('Write what was discussed.', 'empty_text');
  const happenedAt = new Date(c.happenedAt);
  if (happenedAt.getTime() > t.now.getTime() + CLOCK_SKEW_MS)
    throw badRequest('"When it happened" cannot be in the future.', 'happened_in_future');
  const [pupil] = await t.q('SELECT id FROM pupils WHERE id = $1', [c.pupilId]);
  if (!pupil) throw badRequest('That pupil was not found.', 'unknown_pupil');
  // A concern or case on a restricted matter the member is not granted reads as unknown.
  if (c.concernId) await requireLinkableConcern(t, c.concernId);
  if (c.caseId) await shareLinkableCase(t, c.caseId);
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO conversations (id, school_id, pupil_id, concern_id, case_id, with_whom, decision,
       happened_at, text, author_id, recorded_at, search_tokens, index_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ${INDEX_VERSION})`,
    [
      id,
      t.actor.schoolId,
      c.pupilId,
      c.concernId ?? null,
      c.caseId ?? null,
      c.withWhom,
      c.decision ?? null,
      happenedAt,
      sealer.seal('conversations.text', id, text),
      t.actor.userId,
      t.now,
      blindDocument(sealer.searchKey, text),
    ],
  );
  await t.audit({
    action: 'conversation.created',
    targetType: 'conversation',
    targetId: id,
    details: { pupil: c.pupilId },
  });
  return id;
}
