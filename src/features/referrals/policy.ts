// What a member may do with a referral, decided here and nowhere else: the service refuses what
// this does not allow (409), and each referral carries the same answer as `allowed` for the UI.
// Everything needs the `case.manage` ability; then the referral's state decides: follow-ups and
// closing until it is closed, recording the agency's response once.
import { can, type Actor } from '../../core/access/actor.ts';
import type { ReferralAction } from '../../shared/schemas/referrals.ts';

// The web app's copy of this name comes from src/shared/schemas/referrals.ts; re-exported until
// web/src takes it from there.

export function referralAllowed(
  actor: Actor,
  r: { respondedAt: Date | null; closedAt: Date | null },
): ReferralAction[] {
  if (!can(actor, 'case.manage') || r.closedAt) return [];
  return r.respondedAt ? ['add_followup', 'close'] : ['add_followup', 'record_response', 'close'];
}
