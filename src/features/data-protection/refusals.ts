// A refused data-protection change is audited (the register's every attempt is an event) even
// though it changes nothing: the attempt's transaction rolls back whole, and the refusal is then
// written in a transaction of its own with what was tried and the refusal's code — never the
// input, which names people. Faults that are not refusals roll back and reach the error handler.
import type { RequestContext } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';

export type RegisterAttempt =
  | 'request_record'
  | 'request_dates'
  | 'request_extend'
  | 'request_child_voice'
  | 'request_dsl_review'
  | 'request_close'
  | 'request_gather'
  | 'request_item'
  | 'request_redact'
  | 'request_unredact'
  | 'request_ready'
  | 'request_approve'
  | 'request_pack'
  | 'request_download'
  | 'request_disclose'
  | 'request_statement'
  | 'request_restrict'
  | 'request_lift'
  | 'request_decide'
  | 'breach_record'
  | 'breach_change'
  | 'breach_update'
  | 'breach_close'
  | 'complaint_acknowledge'
  | 'complaint_answer';

/** The audited target's type: the resource the attempt was on, as its other events name it. */
function targetTypeOf(attempt: RegisterAttempt): 'dp_request' | 'dp_breach' | 'dp_complaint' {
  if (attempt.startsWith('request_')) return 'dp_request';
  if (attempt.startsWith('breach_')) return 'dp_breach';
  return 'dp_complaint';
}

export async function auditingRefusals<T>(
  c: RequestContext,
  attempt: RegisterAttempt,
  target: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.kind !== 'unavailable' && err.kind !== 'not_found') {
      await c.tx((t) =>
        t.audit({
          action: 'dp.refused',
          ...(target !== undefined && { targetType: targetTypeOf(attempt), targetId: target }),
          details: { attempt, code: err.code },
        }),
      );
    }
    throw err;
  }
}
