// What a member may do with a case, decided here and nowhere else: the routes refuse what this
// does not allow, and each case carries the same answer as `allowed` for the UI. Everything needs
// the `case.manage` ability (the school's manage_cases capability, with a second factor); then
// the case's status decides: an open case is changed (owner, review date), added to and closed;
// a closed one (or "no further action") is only reopened. A case on a restricted matter is for
// those granted it (caseTouchesGranted), whatever else they may do.
import { can, type Actor } from '../../core/access/actor.ts';
import { restrictedTouchSql } from '../../core/access/record-filter.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { ctx, type RequestContext } from '../../core/context.ts';
import type { CaseAction, CaseStatus } from '../../shared/schemas/cases.ts';

// The web app's copy of these names comes from src/shared/schemas/cases.ts; re-exported until
// web/src takes them from there.

/**
 * The request's context once its member may manage cases (`case.manage`, which waits for a
 * second factor): the one gate of the DSL team's routes — cases, referrals, conversations.
 */
export function caseManager(req: Parameters<typeof ctx>[0]): RequestContext {
  const c = ctx(req);
  requireAbility(c.actor, 'case.manage');
  return c;
}

/**
 * A case on a restricted matter — any concern filed in it, or named by its history, is in a
 * restricted category — is for those granted every such category (issue 11): to anyone else,
 * though they manage cases, it does not exist (404 on its page and every change, left out of
 * every list; its outcome and rationale are never opened). SQL over the case alias `alias`.
 */
export function caseTouchesGranted(
  actor: Pick<Actor, 'permissions'>,
  from: number,
  alias = 'c',
): { sql: string; params: unknown[] } {
  return restrictedTouchSql(actor, from, { case: `${alias}.id` });
}

/**
 * The same for a concern that case work is being attached to: its restricted categories must all
 * be granted, or it is "not found", as an unknown id is. SQL over the concern alias `alias`.
 */
export function concernTouchesGranted(
  actor: Pick<Actor, 'permissions'>,
  from: number,
  alias: string,
): { sql: string; params: unknown[] } {
  return restrictedTouchSql(actor, from, { concern: `${alias}.id` });
}

export function caseAllowed(actor: Actor, c: { status: CaseStatus }): CaseAction[] {
  if (!can(actor, 'case.manage')) return [];
  switch (c.status) {
    case 'open':
      return ['edit', 'close', 'no_further_action', 'add_concern', 'add_action', 'add_referral'];
    case 'closed':
    case 'no_further_action':
      return ['reopen'];
    default: {
      const never: never = c.status;
      return never;
    }
  }
}

/**
 * Who may own a case: an active member of a staff group holding the manage_cases capability (the
 * DSL team and the headteacher by default) — the people who can open it. A WHERE fragment over
 * alias `u` (users).
 */
export const MAY_OWN_CASES_SQL = `u.disabled_at IS NULL AND EXISTS (
  SELECT 1 FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id
  WHERE m.user_id = u.id AND 'manage_cases' = ANY(g.capabilities))`;
