// Who may see which reports (issue 20), in one place. The figures need the `reports` ability
// (elevated). Case work in them (cases, actions, referrals, alerts) and the local-authority return
// also need `case.manage` — those who manage cases. The governors' pack counts every record, so
// only the DSL team (the DSL's and deputies' groups) prepares, reads before release and approves a
// version; once released, anyone with reports may read and download it.
import { can, type Actor } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { isDslTeamMember } from '../data-protection/dsl-team.ts';

export const requireReports = (actor: Actor) => requireAbility(actor, 'reports');

export function requireCaseWorkReports(actor: Actor): void {
  requireAbility(actor, 'reports');
  requireAbility(actor, 'case.manage');
}

export const seesCaseWork = (actor: Actor) => can(actor, 'case.manage');

/** Whether the member is in the DSL team, who prepare, read drafts of and release packs. */
export const packDecider = (q: Queryable, actor: Actor) => isDslTeamMember(q, actor.userId);
