// Who may do what with a trip and its emergency cards (issue 21), decided here only.
// - Managing trips (create, edit until the trip ends, see every trip, revoke anyone's cards) asks
//   `parents` (the school's `parents` capability, elevated).
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

const londonHour = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** The instant a day starts in England (00:00 GMT in winter, 23:00 UTC the day before in summer). */
export function londonMidnight(day: string): Date {
  const utc = Date.parse(`${day}T00:00:00Z`);
  // At 00:00 UTC London reads 00 or 01: the offset at which that day began (clocks change at 01:00).
  return new Date(utc - Number(londonHour.format(new Date(utc))) * 3_600_000);
}

/** The cards of a trip stop opening at the end of its last day plus 24 hours, in England. */
export function cardsExpireAt(endsOn: string): Date {
  const [y, m, d] = endsOn.split('-').map(Number) as [number, number, number];
  return londonMidnight(new Date(Date.UTC(y, m - 1, d + 2)).toISOString().slice(0, 10));
}

/** A trip has ended once its last day is over in England; it can no longer be edited. */
export function tripEnded(endsOn: string, now: Date): boolean {
  const [y, m, d] = endsOn.split('-').map(Number) as [number, number, number];
  return now >= londonMidnight(new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10));
}

export function tripActions(actor: Actor, leaderIds: readonly string[], endsOn: string, now: Date) {
  const out: TripAction[] = [];
  if (leaderIds.includes(actor.userId) && now < cardsExpireAt(endsOn)) out.push('download_cards');
  if (isManager(actor)) out.push('revoke_cards');
  if (isManager(actor) && !tripEnded(endsOn, now)) out.push('edit');
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
