// Who may do what with the data-protection register (issue 17), decided here only. The
// `data_protection` ability (the school's `data_protection` capability: the DPO's group by
// default, and whoever the school grants it, with a second factor) opens the register of rights
// requests, breaches and complaints; it grants no record content. One act is narrower: when the
// requester is a restricted contact (a court order) of a subject, release waits until a member of
// the DSL team (by the fixed keys of the default groups, as core/access/approvers.ts decides) has
// reviewed the request. Release itself waits for the child's voice when a parent or carer asks
// about a child of 12 or over, and the close as released for the recorded disclosure of a pack a
// second person approved (sar/). To change safely: keep every data-protection route asking this
// file first, and requests.test.ts and the access matrix passing.
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { DomainError } from '../../core/errors.ts';
import type {
  RequestAction,
  RequestKind,
  RequestStatus,
} from '../../shared/schemas/data-protection.ts';
import type { ClockState } from '../../shared/schemas/data-protection.ts';

/** Asked of every register route first. */
export function requireDataProtection(actor: Actor): void {
  requireAbility(actor, 'data_protection');
}

export function registerActions(actor: Actor): 'record'[] {
  return can(actor, 'data_protection') ? ['record'] : [];
}

/** Kinds whose answer sends the child's data out (and so wait for the child's voice). */
export const RELEASING_KINDS: readonly RequestKind[] = [
  'subject_access',
  'educational_record',
  'portability',
];

export type RequestFacts = {
  kind: RequestKind;
  status: RequestStatus;
  clock: ClockState;
  dueOn: string | null;
  extended: boolean;
  childVoiceNeeded: boolean;
  childVoiceRecorded: boolean;
  restrictedRequester: boolean;
  dslReviewed: boolean;
  /** An approved pack's disclosure is recorded (issue 17's workbench): what "released" means. */
  disclosed: boolean;
};

/** What may be done with a request now, as sent in `allowed`. */
export function requestActions(
  actor: Actor,
  isDslTeam: boolean,
  r: RequestFacts,
  today: string,
): RequestAction[] {
  if (r.status !== 'open') return [];
  const out: RequestAction[] = [];
  // The DSL team reviews a restricted requester's request without holding the register itself.
  if (r.restrictedRequester && !r.dslReviewed && isDslTeam && actor.elevated)
    out.push('dsl_review');
  if (!can(actor, 'data_protection')) return out;
  out.push('edit');
  if (
    r.kind !== 'educational_record' &&
    !r.extended &&
    r.clock === 'running' &&
    r.dueOn !== null &&
    today <= r.dueOn
  )
    out.push('extend');
  if (r.childVoiceNeeded && !r.childVoiceRecorded) out.push('child_voice');
  if (closeAsReleasedBlock(r) === null) out.push('release');
  out.push('close');
  return out;
}

/** Why the request may not be released now, or null when it may. */
export function releaseBlock(r: RequestFacts): DomainError | null {
  if (!RELEASING_KINDS.includes(r.kind))
    return new DomainError(
      'invalid',
      'nothing_to_release',
      'Only a subject-access, educational-record or portability request releases data; record its outcome instead.',
    );
  if (r.childVoiceNeeded && !r.childVoiceRecorded)
    return new DomainError(
      'conflict',
      'child_voice_needed',
      'The child is 12 or over: record the assessment of their competence and their views before anything is released.',
    );
  if (r.restrictedRequester && !r.dslReviewed)
    return new DomainError(
      'conflict',
      'dsl_review_needed',
      'The requester is a restricted contact of the child: the DSL must review the request before anything is released.',
    );
  return null;
}

/**
 * Why the request may not be closed as released (or, for a releasing kind, completed): the gates
 * before any release, then the release itself — a pack a second person approved, its disclosure
 * recorded in the log.
 */
export function closeAsReleasedBlock(r: RequestFacts): DomainError | null {
  const block = releaseBlock(r);
  if (block) return block;
  if (!r.disclosed)
    return new DomainError(
      'conflict',
      'disclosure_needed',
      'Nothing has been released yet: gather the records, have the response approved by a second person, make the pack and record its disclosure first.',
    );
  return null;
}

export const notDslTeam = () =>
  new DomainError(
    'forbidden',
    'dsl_team_only',
    'Only the DSL or a deputy DSL may review a request from a restricted contact.',
  );
