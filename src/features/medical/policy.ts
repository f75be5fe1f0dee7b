// Who may see and change a pupil's medical and care profile (issue 21), decided here only.
// - Staff: the `parents` ability (the school's `parents` capability, elevated with a second
//   factor) reaches every pupil of the school; nothing less.
// - A parent: only their own child, through the parent door (engineer P's `parentCtx`, whose guard
//   answers 404 for a child who is not theirs); the domain functions take the side as `Side`.
// What each side may do to a change is the two-key rule of the issue: a change proposed by staff
// waits for a parent to confirm it, one proposed by a parent waits for staff to acknowledge it, and
// only the side it waits for may act on it (or decline it). To change safely: keep `stateOf` and
// `changeActions` the one place that says what a row's state is and who may act on it.
import type { Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import type { ChangeAction, ChangeState } from '../../shared/medical.ts';

/** Who is acting on a profile: a member of staff, or a parent (their parent account's id). */
export type Side = { kind: 'staff'; userId: string } | { kind: 'parent'; parentId: string };

export function requireMedicalStaff(actor: Actor): void {
  requireAbility(actor, 'parents');
}

export const staffSide = (actor: Pick<Actor, 'userId'>): Side => ({
  kind: 'staff',
  userId: actor.userId,
});

export type ChangeFacts = {
  parent_confirmed_at: Date | null;
  staff_acknowledged_at: Date | null;
  declined_at: Date | null;
  superseded_at: Date | null;
};

export function stateOf(r: ChangeFacts): ChangeState {
  if (r.declined_at) return 'declined';
  if (r.superseded_at) return 'superseded';
  if (!r.parent_confirmed_at) return 'awaiting_parent';
  if (!r.staff_acknowledged_at) return 'awaiting_staff';
  return 'current';
}

export function changeActions(side: Side, state: ChangeState): ChangeAction[] {
  switch (state) {
    case 'awaiting_parent':
      return side.kind === 'parent' ? ['confirm', 'decline'] : [];
    case 'awaiting_staff':
      return side.kind === 'staff' ? ['acknowledge', 'decline'] : [];
    case 'current':
    case 'superseded':
    case 'declined':
      return [];
  }
}
