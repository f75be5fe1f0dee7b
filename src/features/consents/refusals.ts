// A refused consent attempt (an answer to a withdrawn or superseded version, another family's
// child, a change to a withdrawn form) is audited though nothing changes: the attempt rolls back
// whole and the refusal is written in a transaction of its own (admissions/refusals.ts), with the
// attempt and the refusal's code only (never a note's text).
import type { SchoolTx } from '../../core/context.ts';
import { auditRefusalsAs } from '../admissions/refusals.ts';

export type ConsentAttempt = 'create' | 'publish' | 'withdraw' | 'add_pupils' | 'answer';
type Runner = <T>(fn: (t: SchoolTx) => Promise<T>) => Promise<T>;

export function auditingConsentRefusals<T>(
  run: Runner,
  attempt: ConsentAttempt,
  target: string | undefined,
  work: () => Promise<T>,
  /** Refusal codes audited elsewhere already (the parents' door's own). */
  auditedElsewhere: readonly string[] = [],
): Promise<T> {
  return auditRefusalsAs(run, work, auditedElsewhere, (err) => ({
    action: 'consents.refused',
    ...(target !== undefined && { targetType: 'consent_form', targetId: target }),
    details: { attempt, code: err.code },
  }));
}
