// A refused admission or write-back attempt (a code the MIS does not know, a second submission,
// another family's form) is audited even though it changes nothing: the attempt's transaction
// rolls back whole, then the refusal is written in a transaction of its own with what was tried,
// the refusal's code and the field's key — never the value. Faults that are not refusals roll
// back and reach the error handler unaudited here.
import type { SchoolTx } from '../../core/context.ts';
import type { AuditEvent } from '../../platform/audit/catalogue.ts';
import { DomainError } from '../../core/errors.ts';

export type AdmissionAttempt = 'create' | 'send' | 'save' | 'submit' | 'open' | 'decide' | 'export';

/** A refusal about one field: the audit names the field's key. */
export class FieldRefusal extends DomainError {
  readonly field: string;
  constructor(field: string, code: string, message: string) {
    super('invalid', code, message);
    this.field = field;
  }
}

type Runner = <T>(fn: (t: SchoolTx) => Promise<T>) => Promise<T>;

/**
 * Runs `work`; a DomainError it throws (but an outage, or a code audited elsewhere) is audited as
 * `event(err)` in a transaction of its own, then thrown on.
 */
export async function auditRefusalsAs<T>(
  run: Runner,
  work: () => Promise<T>,
  auditedElsewhere: readonly string[],
  event: (err: DomainError) => AuditEvent,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (
      err instanceof DomainError &&
      err.kind !== 'unavailable' &&
      !auditedElsewhere.includes(err.code)
    ) {
      await run((t) => t.audit(event(err)));
    }
    throw err;
  }
}

export function auditingRefusals<T>(
  run: Runner,
  attempt: AdmissionAttempt,
  target: string | undefined,
  work: () => Promise<T>,
  /** Refusal codes audited elsewhere already (the parents' door's own). */
  auditedElsewhere: readonly string[] = [],
): Promise<T> {
  return auditRefusalsAs(run, work, auditedElsewhere, (err) => ({
    action: 'admissions.refused',
    ...(target !== undefined && { targetType: 'admission_request', targetId: target }),
    details: {
      attempt,
      code: err.code,
      ...(err instanceof FieldRefusal && { field: err.field }),
    },
  }));
}
