// Who may do what with parents' invitations and accounts (issue 21), decided here only. The
// `parents` ability (the school's `parents` capability: the DSL team, the headteacher and school
// administrators by default, with a second factor) opens "Parents and forms"; it grants no record
// content. A contact the DSL has restricted (contact_restrictions) is never eligible, whatever the
// MIS says. To change safely: keep every staff parents route asking this file first, and
// invitations.test.ts and the access matrix passing.
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import type { InvitationAction, InvitationStatus } from '../../shared/schemas/parents.ts';

/** Asked of every staff parents route first. */
export function requireParents(actor: Actor): void {
  requireAbility(actor, 'parents');
}

/** What the member may do with one contact's invitation, sent to the UI as `allowed`. */
export function invitationActions(
  actor: Actor,
  f: { status: InvitationStatus; restricted: boolean; hasEmail: boolean },
): InvitationAction[] {
  if (!can(actor, 'parents')) return [];
  const out: InvitationAction[] = [];
  if (!f.restricted && f.hasEmail) {
    switch (f.status) {
      case 'not_invited':
      case 'revoked':
        out.push('invite');
        break;
      case 'invited':
      case 'bounced':
        out.push('resend');
        break;
      case 'accepted':
        break;
    }
  }
  if (f.status === 'invited' || f.status === 'accepted' || f.status === 'bounced') {
    out.push('revoke');
  }
  // A parent with an account who lost their phone or passkey: staff set it up again.
  if (f.status === 'accepted') out.push('reset_second_factor');
  return out;
}
