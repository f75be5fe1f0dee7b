// Pure rules for safeguarding records: no database, no clock of its own (`now` is passed in), so
// every rule is unit-tested and the routes cannot apply them differently. These rules are what
// KCSIE asks of a record: who was involved and how, when it happened, and for every decision to
// close, the outcome and the reasons.

import {
  MAX_LINKED_PUPILS,
  MAX_CONCERN_TEXT,
  CLOCK_SKEW_MS,
  MIN_RATIONALE_LENGTH,
  MAX_OUTCOME_LENGTH,
  MAX_RATIONALE_LENGTH,
} from './limits.ts';

export const PUPIL_ROLES = [
  'subject',
  'victim',
  'alleged_perpetrator',
  'witness',
  'other',
] as const;
export type PupilRole = (typeof PUPIL_ROLES)[number];

export interface LinkedPupil {
  pupilId: string;
  role: PupilRole;
}

export interface FieldError {
  field: string;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function fail<T>(errors: FieldError[], value: T): Result<T> {
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/**
 * Each linked pupil carries their own role, given explicitly: there is no default role and no
 * "apply to all", so linking a second pupil can never copy the first pupil's role onto them.
 * With `knownPupilIds` (this school's current pupils), an id not in it is refused. Returns fresh
 * objects, so a later change to one cannot reach another.
 */
export function validateLinkedPupils(
  links: readonly unknown[],
  knownPupilIds?: ReadonlySet<string>,
): Result<LinkedPupil[]> {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const value: LinkedPupil[] = [];
  if (links.length === 0) errors.push({ field: 'pupils', message: 'Choose at least one pupil' });
  if (links.length > MAX_LINKED_PUPILS) {
    errors.push({ field: 'pupils', message: `At most ${MAX_LINKED_PUPILS} pupils on one record` });
  }
  links.forEach((raw, i) => {
    const field = `pupils[${i}]`;
    const link = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { pupilId, role } = link;
    if (typeof pupilId !== 'string' || pupilId.length === 0) {
      errors.push({ field: `${field}.pupilId`, message: 'Pupil is required' });
      return;
    }
    if (seen.has(pupilId)) {
      errors.push({ field: `${field}.pupilId`, message: 'This pupil is already linked' });
      return;
    }
    seen.add(pupilId);
    if (knownPupilIds && !knownPupilIds.has(pupilId)) {
      errors.push({ field: `${field}.pupilId`, message: 'One of the pupils was not found' });
      return;
    }
    if (typeof role !== 'string' || !(PUPIL_ROLES as readonly string[]).includes(role)) {
      errors.push({ field: `${field}.role`, message: 'Choose this pupil’s role' });
      return;
    }
    value.push({ pupilId, role: role as PupilRole });
  });
  return fail(errors, value);
}

export interface ConcernInput {
  pupils: readonly unknown[];
  text: string;
  happenedAt: Date;
  categoryIds: readonly string[];
}

export interface ConcernContext {
  now: Date;
  /** The school's categories; an id not in it is refused. */
  knownCategoryIds: ReadonlySet<string>;
  /** The school's current pupils; when given, an id not in it is refused. */
  knownPupilIds?: ReadonlySet<string>;
}

export interface ValidConcern {
  pupils: LinkedPupil[];
  text: string;
  happenedAt: Date;
  categoryIds: string[];
}

/**
 * Every problem with a concern, or the cleaned concern. The one rulebook for logging a concern
 * and for correcting one (src/concerns/validate.ts applies it to the record as it would be after
 * the change). Backdating is allowed; the future is not.
 */
export function validateConcernInput(
  input: ConcernInput,
  context: ConcernContext,
): Result<ValidConcern> {
  const errors: FieldError[] = [];
  const pupils = validateLinkedPupils(input.pupils, context.knownPupilIds);
  if (!pupils.ok) errors.push(...pupils.errors);

  const text = input.text.trim();
  if (text.length === 0) errors.push({ field: 'text', message: '"What happened" cannot be empty' });
  if (text.length > MAX_CONCERN_TEXT) {
    errors.push({
      field: 'text',
      message: `"What happened" must be at most ${MAX_CONCERN_TEXT} characters`,
    });
  }

  const when = input.happenedAt.getTime();
  if (Number.isNaN(when))
    errors.push({ field: 'happenedAt', message: '"When it happened" is not a date' });
  else if (when > context.now.getTime() + CLOCK_SKEW_MS) {
    errors.push({ field: 'happenedAt', message: '"When it happened" cannot be in the future' });
  }

  const categoryIds = [...new Set(input.categoryIds)];
  if (categoryIds.length === 0)
    errors.push({ field: 'categoryIds', message: 'Choose at least one category' });
  if (categoryIds.some((id) => !context.knownCategoryIds.has(id)))
    errors.push({ field: 'categoryIds', message: 'That category does not exist' });

  return fail(errors, {
    pupils: pupils.ok ? pupils.value : [],
    text,
    happenedAt: input.happenedAt,
    categoryIds,
  });
}

// ---- Cases ---------------------------------------------------------------------------------

export type CaseStatus = 'open' | 'closed' | 'no_further_action';
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

// ---- Referrals -----------------------------------------------------------------------------

export type ReferralStatus = 'awaiting' | 'overdue' | 'responded' | 'closed';

export interface ReferralTiming {
  referredAt: Date;
  respondedAt: Date | null;
  closedAt: Date | null;
}

const HOUR_MS = 60 * 60 * 1000;

/** When a response is due, or null when the agency type has no expected response time. */
export function referralDueAt(
  referral: ReferralTiming,
  expectedResponseHours: number | null,
): Date | null {
  if (expectedResponseHours === null) return null;
  return new Date(referral.referredAt.getTime() + expectedResponseHours * HOUR_MS);
}

/**
 * Closed wins over responded, responded over overdue. Overdue from the moment the expected response
 * time has passed (inclusive) with no response recorded.
 */
export function referralStatus(
  referral: ReferralTiming,
  now: Date,
  expectedResponseHours: number | null,
): ReferralStatus {
  if (referral.closedAt !== null) return 'closed';
  if (referral.respondedAt !== null) return 'responded';
  const due = referralDueAt(referral, expectedResponseHours);
  return due !== null && now.getTime() >= due.getTime() ? 'overdue' : 'awaiting';
}

// ---- Actions -------------------------------------------------------------------------------

export interface ActionTiming {
  id: string;
  dueAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
}

export type ActionState = 'overdue' | 'due' | 'no_due_date' | 'completed';

export function actionState(action: ActionTiming, now: Date): ActionState {
  if (action.completedAt !== null) return 'completed';
  if (action.dueAt === null) return 'no_due_date';
  return action.dueAt.getTime() < now.getTime() ? 'overdue' : 'due';
}

const STATE_ORDER: Record<ActionState, number> = {
  overdue: 0,
  due: 1,
  no_due_date: 2,
  completed: 3,
};

/**
 * "My actions": overdue first (most overdue at the top), then due soonest, then those without a
 * due date (oldest first), then completed (most recently completed first). Ties break on id so
 * the order is stable across requests.
 */
export function sortActionsForDashboard<T extends ActionTiming>(
  actions: readonly T[],
  now: Date,
): T[] {
  const key = (a: T): [number, number] => {
    const state = actionState(a, now);
    switch (state) {
      case 'overdue':
      case 'due':
        return [STATE_ORDER[state], a.dueAt?.getTime() ?? 0];
      case 'no_due_date':
        return [STATE_ORDER[state], a.createdAt.getTime()];
      case 'completed':
        return [STATE_ORDER[state], -(a.completedAt?.getTime() ?? 0)];
    }
  };
  return [...actions].sort((a, b) => {
    const [sa, ta] = key(a);
    const [sb, tb] = key(b);
    return sa - sb || ta - tb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}
