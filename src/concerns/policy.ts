// Who may do what with a concern. The same rule is a yes/no for one record (canRead) and a SQL
// filter for lists (visibleWhere), both from the school's group/category permissions in
// src/access/: authors always see what they logged; anyone else must be elevated (second factor)
// and hold a grant that covers the record's categories and pupils, restricted ones included.
import type { Actor } from '../access/actor.ts';
import { canViewRecord, pupilInScope, type CategoryRef } from '../access/permissions.ts';
import { pupilGroupRefs } from '../access/load.ts';
import { recordVisibleSql } from '../access/record-filter.ts';

export type ConcernAction = 'view' | 'edit';

/** A linked pupil as policies see them: year and form, and their teaching groups when known. */
export type PupilRef = {
  id: string;
  yearGroup: string | null;
  form: string | null;
  groupRefs?: readonly string[];
};

/** What a policy needs to know about a concern. Lists carry categories and pupils too. */
export type ConcernMeta = {
  authorId: string;
  categories?: readonly CategoryRef[];
  pupils?: readonly PupilRef[];
};

export function canRead(actor: Actor, concern: ConcernMeta): boolean {
  if (concern.authorId === actor.userId) return true;
  if (!actor.elevated || !concern.categories) return false;
  return canViewRecord(actor.permissions, {
    categories: concern.categories,
    pupils: (concern.pupils ?? []).map((p) => ({
      yearGroup: p.yearGroup,
      groupIds: pupilGroupRefs(p),
    })),
  });
}

export function allowedActions(actor: Actor, concern: ConcernMeta): ConcernAction[] {
  const out: ConcernAction[] = [];
  if (canRead(actor, concern)) out.push('view');
  if (concern.authorId === actor.userId) out.push('edit');
  return out;
}

/** A WHERE fragment over alias `c` with its parameters numbered from `from`. */
export function visibleWhere(actor: Actor, from: number): { sql: string; params: unknown[] } {
  return recordVisibleSql(actor, from, 'c');
}

/**
 * May the viewer see this pupil at all (name included)? Issue 4 shows another linked pupil on a
 * chronology entry as "Another pupil" to someone for whom this is false.
 */
export function canSeePupil(actor: Actor, pupil: PupilRef): boolean {
  return (
    actor.elevated &&
    pupilInScope(actor.permissions, { yearGroup: pupil.yearGroup, groupIds: pupilGroupRefs(pupil) })
  );
}
