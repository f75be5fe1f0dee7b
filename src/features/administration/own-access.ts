// Granting record access is a two-person act (issue 11): no administrator may change their own
// access — their own group memberships, nor the grants, category access, scope or capabilities
// of a group they belong to. Another administrator must. Renaming or describing such a group
// changes no one's access and stays allowed.
import type { Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';

export const OWN_ACCESS_MESSAGE =
  'Another administrator must make this change: no one may change their own access.';

/** The refusal carries whose access it would have changed, so the attempt is audited with it. */
export class OwnAccessRefused extends DomainError {
  readonly target: { type: 'group' | 'user'; id: string };
  constructor(target: { type: 'group' | 'user'; id: string }) {
    super('forbidden', 'own_access', OWN_ACCESS_MESSAGE);
    this.target = target;
  }
}

export const ownAccessRefused = (target: { type: 'group' | 'user'; id: string }) =>
  new OwnAccessRefused(target);

/** Whether the acting member belongs to this group. */
export async function actorBelongsTo(t: Tx, groupId: string): Promise<boolean> {
  const [row] = await t.q(
    'SELECT 1 FROM staff_group_members WHERE group_id = $1 AND user_id = $2',
    [groupId, t.actor.userId],
  );
  return row !== undefined;
}
