// The rules for a concern's content: pure (no database, no clock of its own — `now` is passed in),
// so they are unit-tested (rules.test.ts) and logging and correcting a concern cannot apply them
// differently (validate.ts looks up what they need and applies them to both). These are what
// KCSIE asks of a record: who was involved and how, when it happened, and what happened.
import { CLOCK_SKEW_MS, MAX_CONCERN_TEXT, MAX_LINKED_PUPILS } from '../../shared/limits.ts';
import type { FieldError, Result } from '../../shared/result.ts';
import { PUPIL_ROLES, type PupilRole } from '../../shared/pupil-roles.ts';
import { MAX_TRIAGE_REASON, type RiskLevel, type TriageState } from '../../shared/triage.ts';

export interface LinkedPupil {
  pupilId: string;
  role: PupilRole;
}

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
 * and for correcting one (validate.ts applies it to the record as it would be after the change).
 * Backdating is allowed; the future is not.
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

/**
 * A triage decision (issue 14): a written reason always; a risk level exactly when the concern is
 * triaged (a "new" or "no further action" concern carries none, so none can be left behind).
 */
export function validateTriage(input: {
  state: TriageState;
  risk?: RiskLevel | undefined;
  reason: string;
}): Result<{ state: TriageState; risk: RiskLevel | null; reason: string }> {
  const errors: FieldError[] = [];
  const reason = input.reason.trim();
  if (reason.length === 0) errors.push({ field: 'reason', message: 'Write the reason' });
  if (reason.length > MAX_TRIAGE_REASON) {
    errors.push({
      field: 'reason',
      message: `The reason must be at most ${MAX_TRIAGE_REASON} characters`,
    });
  }
  if (input.state === 'triaged' && !input.risk) {
    errors.push({ field: 'risk', message: 'Choose a risk level for a triaged concern' });
  }
  if (input.state !== 'triaged' && input.risk) {
    errors.push({ field: 'risk', message: 'A risk level is given only when a concern is triaged' });
  }
  return fail(errors, { state: input.state, risk: input.risk ?? null, reason });
}
