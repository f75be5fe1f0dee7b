// The two-tier rule, decided here and nowhere else. A route asks "may this actor do X now?"
// (requireAbility): a member who could do X after a second factor but has not given one gets 403
// step_up_required (the UI then asks for a code); anyone else gets a plain 403. And before any
// route runs, the request context asks enrolmentGate whether the session is one the school
// requires a second factor of but which has none yet: such a session may only set one up
// (403 second_factor_enrolment_required everywhere else). To change safely: never answer "ok"
// from here for an actor whose abilitiesOf() lacks the ability, and never widen the set of
// routes an unenrolled session may reach beyond those that finish enrolling (`enrolOk`).
import { DomainError } from '../errors.ts';
import type { Permissions } from './permissions.ts';
import type { SchoolSettings } from '../settings.ts';
import { abilitiesWhenElevated, can, needsStepUp, type Actor, type Ability } from './actor.ts';

export const stepUpRequired = () =>
  new DomainError(
    'forbidden',
    'step_up_required',
    'Confirm it is you with your second factor (authentication code or security key) to see this.',
  );

export const enrolmentRequired = () =>
  new DomainError(
    'forbidden',
    'second_factor_enrolment_required',
    'Your school requires a second factor to sign in. Set up an authenticator app or a security key first.',
  );

/**
 * Whether the school requires this member to give a second factor at sign-in (issue 3): everyone
 * who can read records, and everyone who can read concerns about adults (issue 19: the chair of
 * governors reads allegations though no pupil record).
 */
export function secondFactorRequired(u: {
  settings: Pick<SchoolSettings, 'secondFactorAtSignIn'>;
  permissions: Permissions;
}): boolean {
  const elevated = abilitiesWhenElevated(u.permissions);
  return (
    u.settings.secondFactorAtSignIn === 'everyone' ||
    elevated.includes('records.view') ||
    elevated.includes('staff_concerns.read')
  );
}

/**
 * Called for every signed-in request to a non-public route (src/http/request-context.ts): a session the
 * school requires a second factor of, whose user has none, reaches only the routes declared
 * `enrolOk` (session information, enrolling an authenticator app or a security key, signing out).
 */
export function enrolmentGate(session: { mustEnrol: boolean }, route: { enrolOk?: boolean }) {
  if (session.mustEnrol && route.enrolOk !== true) throw enrolmentRequired();
}

/**
 * Whether the actor may do X now, only after a second factor, or not at all. Routes that show
 * something less at the first tier (the dashboard's count of waiting actions) ask this rather
 * than deciding for themselves.
 */
export type Tier = 'now' | 'step_up' | 'never';
export function abilityTier(actor: Actor, ability: Ability): Tier {
  if (can(actor, ability)) return 'now';
  return needsStepUp(actor, ability) ? 'step_up' : 'never';
}

export function requireAbility(actor: Actor, ability: Ability): void {
  const tier = abilityTier(actor, ability);
  if (tier === 'now') return;
  if (tier === 'step_up') throw stepUpRequired();
  throw new DomainError('forbidden', 'forbidden', 'You do not have permission to do that.');
}

/** For routes any signed-in member may use but only once elevated (second-factor management). */
export function requireElevated(actor: Actor): void {
  if (!actor.elevated) throw stepUpRequired();
}
