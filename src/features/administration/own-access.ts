// Granting record access is a two-person act (issue 11): no administrator may change their own
// access — their own group memberships, nor the grants, category access, scope or capabilities
// of a group they belong to. Another administrator must. Renaming or describing such a group
// changes no one's access and stays allowed.
import type { Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';

export const OWN_ACCESS_MESSAGE =
  'Another administrator must make this change: no one may change their own access.';

export const ownAccessRefused = () =>
  new DomainError('forbidden', 'own_access', OWN_ACCESS_MESSAGE);

/** Whether the acting member belongs to this group. */
export async function actorBelongsTo(t: Tx, groupId: string): Promise<boolean> {
  const [row] = await t.q(
    'SELECT 1 FROM staff_group_members WHERE group_id = $1 AND user_id = $2',
    [groupId, t.actor.userId],
  );
  return row !== undefined;
}
