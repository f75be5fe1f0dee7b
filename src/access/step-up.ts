// The one place a route asks "may this actor do X now?". A member who could do X after a
// second factor but has not given one gets 403 step_up_required (the UI then asks for a code);
// anyone else gets a plain 403. To change safely: never answer "ok" from here for an actor
// whose capabilitiesOf() lacks the ability.
import { HttpError } from '../http/errors.ts';
import { can, needsStepUp, type Actor, type Capability } from './actor.ts';

export const stepUpRequired = () =>
  new HttpError(
    403,
    'step_up_required',
    'Confirm it is you with your second factor (authentication code or security key) to see this.',
  );

export function requireAbility(actor: Actor, ability: Capability): void {
  if (can(actor, ability)) return;
  if (needsStepUp(actor, ability)) throw stepUpRequired();
  throw new HttpError(403, 'forbidden', 'You do not have permission to do that.');
}

/** For routes any signed-in member may use but only once elevated (second-factor management). */
export function requireElevated(actor: Actor): void {
  if (!actor.elevated) throw stepUpRequired();
}
