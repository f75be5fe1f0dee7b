// Who may exercise the other rights on a request (issue 17), decided here only: the register's
// `data_protection` ability (policy.ts's requireDataProtection, asked by every route first), on an
// open request of the matching kind — a statement only for rectification, a restriction (and its
// lifting, which alone is also allowed once the request is closed) only for restriction, a decision only for erasure or objection, and only of the kind's
// own decisions. To change safely: keep rights.test.ts and the access matrix passing.
import { can, type Actor } from '../../../core/access/actor.ts';
import { DomainError } from '../../../core/errors.ts';
import type { RequestKind, RequestStatus } from '../../../shared/schemas/data-protection.ts';
import {
  ERASURE_DECISIONS,
  OBJECTION_DECISIONS,
  type RightsAction,
  type RightsDecision,
} from '../../../shared/schemas/dp-rights.ts';

export type RightsFacts = { kind: RequestKind; status: RequestStatus; decided: boolean };

/** The act a kind of request allows, if any. */
function actsOf(kind: RequestKind): RightsAction[] {
  switch (kind) {
    case 'rectification':
      return ['attach_statement'];
    case 'restriction':
      return ['restrict', 'lift'];
    case 'erasure':
    case 'objection':
      return ['decide'];
    case 'subject_access':
    case 'educational_record':
    case 'portability':
      return [];
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function rightsActions(actor: Actor, r: RightsFacts): RightsAction[] {
  if (!can(actor, 'data_protection')) return [];
  // Lifting stays possible once a restriction request is closed, so a restriction can never be
  // left in force with no way to end it (closing is also refused while one is in force).
  if (r.status !== 'open') return r.kind === 'restriction' ? ['lift'] : [];
  return actsOf(r.kind).filter((a) => a !== 'decide' || !r.decided);
}

/** Throws unless `act` may be done on this request now. */
export function requireRightsAct(actor: Actor, r: RightsFacts, act: RightsAction): void {
  if (rightsActions(actor, r).includes(act)) return;
  if (r.status !== 'open')
    throw new DomainError('conflict', 'request_closed', 'That request is closed.');
  if (act === 'decide' && r.decided)
    throw new DomainError('conflict', 'already_decided', 'That request has been decided already.');
  throw new DomainError(
    'invalid',
    'wrong_kind_of_request',
    'That cannot be done on this kind of request.',
  );
}

/** A decision must be one of its own kind's: an erasure is not "upheld", an objection not erased. */
export function requireDecisionFits(kind: RequestKind, decision: RightsDecision): void {
  const fits =
    kind === 'erasure'
      ? (ERASURE_DECISIONS as readonly string[]).includes(decision)
      : (OBJECTION_DECISIONS as readonly string[]).includes(decision);
  if (!fits)
    throw new DomainError(
      'invalid',
      'decision_does_not_fit',
      kind === 'erasure'
        ? 'An erasure request is decided by erasing under the retention schedule, or refused citing public task or legal obligation.'
        : 'An objection is either upheld or not upheld.',
    );
}
