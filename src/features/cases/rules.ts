// The case's state machine, pure (no database, no clock of its own — `at` is passed in) and
// unit-tested (rules.test.ts): an open case is closed or marked "no further action" only with an
// outcome and a written rationale; a closed one is reopened only with a reason; every decision is
// an event that stays. Which of these a member may ask for now is policy.ts.
import {
  MAX_OUTCOME_LENGTH,
  MAX_RATIONALE_LENGTH,
  MIN_RATIONALE_LENGTH,
} from '../../shared/limits.ts';
import type { FieldError, Result } from '../../shared/result.ts';
import type { CaseStatus } from '../../shared/schemas/cases.ts';

export type CaseEventKind = 'closed' | 'no_further_action' | 'reopened';

export interface CaseEvent {
  kind: CaseEventKind;
  at: Date;
  by: string;
  outcome?: string;
  /** The written rationale (close / NFA) or the reason (reopen). */
  rationale: string;
}

export interface CaseState {
  status: CaseStatus;
  outcome: string | null;
  rationale: string | null;
  /** Every close, NFA and reopen, oldest first; never rewritten. */
  events: readonly CaseEvent[];
}

export interface Closure {
  outcome: string;
  rationale: string;
  by: string;
  at: Date;
}

function checkClosure(c: CaseState, closure: Closure): FieldError[] {
  const errors: FieldError[] = [];
  if (c.status !== 'open')
    errors.push({ field: 'status', message: 'Only an open case can be closed' });
  const outcome = closure.outcome.trim();
  const rationale = closure.rationale.trim();
  if (outcome.length === 0) errors.push({ field: 'outcome', message: 'Record the outcome' });
  if (outcome.length > MAX_OUTCOME_LENGTH) {
    errors.push({
      field: 'outcome',
      message: `The outcome must be at most ${MAX_OUTCOME_LENGTH} characters`,
    });
  }
  if (rationale.length < MIN_RATIONALE_LENGTH) {
    errors.push({
      field: 'rationale',
      message: `Write the rationale for this decision (at least ${MIN_RATIONALE_LENGTH} characters)`,
    });
  }
  if (rationale.length > MAX_RATIONALE_LENGTH) {
    errors.push({
      field: 'rationale',
      message: `The rationale must be at most ${MAX_RATIONALE_LENGTH} characters`,
    });
  }
  return errors;
}

function closeAs(
  kind: 'closed' | 'no_further_action',
  c: CaseState,
  closure: Closure,
): Result<CaseState> {
  const errors = checkClosure(c, closure);
  if (errors.length > 0) return { ok: false, errors };
  const outcome = closure.outcome.trim();
  const rationale = closure.rationale.trim();
  const event: CaseEvent = { kind, at: closure.at, by: closure.by, outcome, rationale };
  return { ok: true, value: { status: kind, outcome, rationale, events: [...c.events, event] } };
}

/** Closes an open case; an outcome and a written rationale are both required. */
export function closeCase(c: CaseState, closure: Closure): Result<CaseState> {
  return closeAs('closed', c, closure);
}

/** "No further action" is a decision like closing, with the same outcome and rationale rule. */
export function markNoFurtherAction(c: CaseState, closure: Closure): Result<CaseState> {
  return closeAs('no_further_action', c, closure);
}

/** Reopens a closed or NFA case, recording who, when and why; the earlier closure stays in events. */
export function reopenCase(
  c: CaseState,
  reopen: { reason: string; by: string; at: Date },
): Result<CaseState> {
  const errors: FieldError[] = [];
  if (c.status === 'open') errors.push({ field: 'status', message: 'The case is already open' });
  const reason = reopen.reason.trim();
  if (reason.length === 0)
    errors.push({ field: 'reason', message: 'Say why the case is being reopened' });
  if (errors.length > 0) return { ok: false, errors };
  const event: CaseEvent = { kind: 'reopened', at: reopen.at, by: reopen.by, rationale: reason };
  return {
    ok: true,
    value: { status: 'open', outcome: null, rationale: null, events: [...c.events, event] },
  };
}
