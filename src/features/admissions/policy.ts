// Who may work with admission forms and the MIS write-back (issue 21), decided here only. What
// this protects: a child's staged answers (ethnicity, religion, medical, contacts) reach only
// members with the school's `parents` capability, elevated; no safeguarding record comes with it.
// A parent reaches a form only through their own children (answers.ts takes the ids of the
// children the parent door vouched for and answers 404 for any other). To change safely: keep
// every staff route calling `requireFormsStaff` first and sending `allowed` from here.
import { requireAbility } from '../../core/access/step-up.ts';
import type { Actor } from '../../core/access/actor.ts';
import type { FieldAction, RequestStatus } from '../../shared/admissions.ts';

export function requireFormsStaff(actor: Actor): void {
  requireAbility(actor, 'parents');
}

/** A submitted form may be reviewed; one still with the parent may not. */
export function requestActions(status: RequestStatus): 'review'[] {
  return status === 'submitted' ? ['review'] : [];
}

/**
 * A field of a parent's submitted copy may be accepted or rejected until it is accepted (an
 * accepted field is already queued for the MIS); a rejected one may still be accepted on second
 * thoughts. Once another parent's answer to the same field is accepted, only one value goes back
 * to the MIS: this parent's may then only be rejected.
 */
export function fieldActions(
  status: RequestStatus,
  decision: 'accepted' | 'rejected' | null,
  answered: boolean,
  acceptedFromAnother = false,
  restricted = false,
): FieldAction[] {
  if (status !== 'submitted' || !answered || decision === 'accepted') return [];
  // A parent restricted by the DSL since sending: nothing of theirs goes back to the MIS.
  if (acceptedFromAnother || restricted) return decision === 'rejected' ? [] : ['reject'];
  return decision === 'rejected' ? ['accept'] : ['accept', 'reject'];
}
