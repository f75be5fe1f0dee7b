// Who may change the school calendar (issue 18): the `admin` ability (administrators, elevated).
// Every member's clocks read it, but only administrators edit it, because a wrong term date moves
// every statutory due date the school sees.
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';

export function requireCalendarAdmin(actor: Actor): void {
  requireAbility(actor, 'admin');
}

export function calendarActions(actor: Actor): 'edit'[] {
  return can(actor, 'admin') ? ['edit'] : [];
}
