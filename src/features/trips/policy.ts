// Who may do what with a trip and its emergency cards (issue 21), decided here only.
// - Managing trips (create, see every trip, revoke anyone's cards) asks `parents` (the school's
//   `parents` capability, elevated).
// - A trip's cards are downloaded, and their key released, only to one of the trip's leaders, in
//   a session that has passed its second factor (elevated), and never after the cards expire (the
//   end of the trip's last day plus 24 hours) or once revoked. A leader may revoke their own.
// - Anyone else gets 404 for a trip: a trip's pupil list is itself about children.
// To change safely: keep every card route going through `loadTripFor`/`loadBundleFor`, and keep
// the key's release in cards.ts checking expiry and revocation in the same transaction.
import type { Actor } from '../../core/access/actor.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility, requireElevated } from '../../core/access/step-up.ts';
import type { SchoolTx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';
import type { TripAction } from '../../shared/trips.ts';

export function requireTripManager(actor: Actor): void {
  requireAbility(actor, 'parents');
}

/** Every trip route first needs an elevated session (the cards are medical data). */
export function requireTripMember(actor: Actor): void {
  requireElevated(actor);
}

export const isManager = (actor: Actor) => can(actor, 'parents');

/** The cards of a trip stop opening at the end of its last day plus 24 hours (UTC). */
export function cardsExpireAt(endsOn: string): Date {
  return new Date(Date.parse(`${endsOn}T00:00:00Z`) + 2 * 86_400_000);
}

export function tripActions(actor: Actor, leaderIds: readonly string[], endsOn: string, now: Date) {
  const out: TripAction[] = [];
  if (leaderIds.includes(actor.userId) && now < cardsExpireAt(endsOn)) out.push('download_cards');
  if (isManager(actor)) out.push('revoke_cards');
  return out;
}

export type TripRow = {
  id: string;
  name: string;
  starts_on: string;
  ends_on: string;
  leaders: string[];
};

/** The trip if the member manages trips or leads this one; 404 otherwise. */
export async function loadTripFor(t: SchoolTx, actor: Actor, tripId: string): Promise<TripRow> {
  const [trip] = await t.q<TripRow>(
    `SELECT t.id, t.name, t.starts_on::text AS starts_on, t.ends_on::text AS ends_on,
       coalesce((SELECT array_agg(l.user_id::text) FROM trip_leaders l WHERE l.trip_id = t.id), '{}') AS leaders
     FROM trips t WHERE t.id = $1`,
    [tripId],
  );
  if (!trip || !(isManager(actor) || trip.leaders.includes(actor.userId))) {
    throw notFound('That trip');
  }
  return trip;
}
