// Who may manage consent forms (issue 21), decided here only: members with the school's `parents`
// capability, elevated. A parent answers only for their own children, as a contact with parental
// responsibility (answers.ts checks both). Every staff route calls `requireConsentStaff` first and
// sends `allowed` from `formActions`.
import { requireAbility } from '../../core/access/step-up.ts';
import type { Actor } from '../../core/access/actor.ts';

export function requireConsentStaff(actor: Actor): void {
  requireAbility(actor, 'parents');
}

export function formActions(current: { withdrawnAt: string | null } | null) {
  if (!current || current.withdrawnAt !== null) return [];
  return ['new_version', 'withdraw', 'add_pupils'] as ('new_version' | 'withdraw' | 'add_pupils')[];
}
