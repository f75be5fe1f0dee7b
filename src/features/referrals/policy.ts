// What a member may do with a referral, decided here and nowhere else: the service refuses what
// this does not allow (409), and each referral carries the same answer as `allowed` for the UI.
// Everything needs the `case.manage` ability; then the referral's state decides: follow-ups and
// closing until it is closed, recording the agency's response once. A referral on a restricted
// matter is for those granted it (referralTouchesGranted): to anyone else it does not exist.
import { can, type Actor } from '../../core/access/actor.ts';
import { restrictedTouchSql } from '../../core/access/record-filter.ts';
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

/**
 * The restricted matters a referral over alias `r` touches — its concern, and every concern of its
 * case — must all be granted (issue 11), as SQL for every read and change of a referral.
 */
export function referralTouchesGranted(
  actor: Actor,
  from: number,
): { sql: string; params: unknown[] } {
  return restrictedTouchSql(actor, from, { concern: 'r.concern_id', case: 'r.case_id' });
}
