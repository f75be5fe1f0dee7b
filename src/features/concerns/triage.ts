// Triage (issue 14): the DSL team records its first decision on a concern — triaged with a risk
// level and a reason, or no further action — as a new row (the history stays), sealed and audited
// in the same transaction. Who may is policy.ts (canTriage); what a decision must hold is
// rules.ts (validateTriage).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type { ConcernTriage } from '../../shared/schemas/concerns.ts';
import { canTriage } from './policy.ts';
import { metaOf, readableConcernRow } from './read.ts';
import { validateTriage } from './rules.ts';

export async function triageConcern(t: Tx, concernId: string, input: ConcernTriage) {
  const row = await readableConcernRow(t, concernId);
  // A member who may read it but is not granted its categories as the DSL team is does not
  // learn more by being refused differently from an unknown id.
  if (!canTriage(t.actor, metaOf(row))) throw notFound('That concern');
  const checked = validateTriage(input);
  if (!checked.ok) {
    // The field is named the way the 400s of the schema name it, so the form marks it.
    const first = checked.errors[0]!;
    throw badRequest(
      `${checked.errors.map((e) => e.message).join('. ')} (field "${first.field}").`,
      'invalid_triage',
    );
  }
  const { state, risk, reason } = checked.value;
  // Sealed under the row's own id, so the reason cannot be moved to another decision.
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO concern_triage
       (id, school_id, concern_id, state, risk, reason, decided_by, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      t.actor.schoolId,
      concernId,
      state,
      risk,
      sealer.seal('concern_triage.reason', id, reason),
      t.actor.userId,
      t.now,
    ],
  );
  await t.audit({
    action: 'concern.triaged',
    targetType: 'concern',
    targetId: concernId,
    details: { state, risk },
  });
}
