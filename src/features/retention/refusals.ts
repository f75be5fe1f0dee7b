// A refused retention change is audited (issue 15, "each attempt audited") even though it changes
// nothing: the attempt runs in its own transaction, which rolls back whole on a refusal, and the
// refusal is then written in a second transaction of its own with what was tried and the refusal's
// code (never the input: a hold's reason may name people). Faults that are not refusals are not
// recorded here; they roll back and reach the error handler as ever.
import type { RequestContext } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';

export type RetentionAttempt =
  | 'rule_change'
  | 'hold_place'
  | 'hold_lift'
  | 'review_approve'
  | 'review_keep'
  | 'review_hold'
  | 'destroy';

export async function auditingRefusals<T>(
  c: RequestContext,
  attempt: RetentionAttempt,
  /** One target's id, or a batch's review ids (destruction). */
  target: string | readonly string[] | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.kind !== 'unavailable') {
      const one = typeof target === 'string' ? target : undefined;
      const reviews = Array.isArray(target) ? [...(target as readonly string[])] : undefined;
      await c.tx((t) =>
        t.audit({
          action: 'retention.refused',
          ...(one !== undefined && { targetType: attempt, targetId: one }),
          details: {
            attempt,
            code: err.code,
            ...(one !== undefined && { target: one }),
            ...(reviews !== undefined && { reviews }),
          },
        }),
      );
    }
    throw err;
  }
}
