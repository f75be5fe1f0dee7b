// Who may do what with a concern. The same rule is a yes/no for one record (canRead) and a SQL
// filter for lists (visibleWhere), both from the school's group/category permissions in
// src/core/access/: authors always see what they logged; anyone else must be elevated (second factor)
// and hold a grant that covers the record's categories and pupils, restricted ones included.
import { can, type Actor } from '../../core/access/actor.ts';
import { canViewRecord, pupilInScope, type CategoryRef } from '../../core/access/permissions.ts';
import { pupilGroupRefs } from '../../core/access/load.ts';
import { candidateRecordsSql, recordVisibleSql } from '../../core/access/record-filter.ts';
import { seesRestrictedProcessing } from '../../core/access/processing-restriction.ts';
import type { ConcernAction } from '../../shared/schemas/concerns.ts';

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
  /** Under a restriction of processing (Article 18): the DSL team's alone while it lasts. */
  processingRestricted?: boolean;
};

export function canRead(actor: Actor, concern: ConcernMeta): boolean {
  if (concern.processingRestricted === true && !seesRestrictedProcessing(actor)) return false;
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

/**
 * Triage (issue 14) is the DSL team's: whoever manages cases (a second factor given) and may
 * read the concern — restricted categories included, as canRead decides.
 */
export function canTriage(actor: Actor, concern: ConcernMeta): boolean {
  if (!can(actor, 'case.manage')) return false;
  // The author's own right to read is not enough: the grant must cover the record too.
  return canRead({ ...actor, userId: '' }, concern);
}

export function allowedActions(actor: Actor, concern: ConcernMeta): ConcernAction[] {
  const out: ConcernAction[] = [];
  if (canRead(actor, concern)) out.push('view');
  if (concern.authorId === actor.userId) out.push('edit');
  if (canTriage(actor, concern)) out.push('triage');
  return out;
}

/** A WHERE fragment over alias `c` with its parameters numbered from `from`. */
export function visibleWhere(actor: Actor, from: number): { sql: string; params: unknown[] } {
  return recordVisibleSql(actor, from, 'c');
}

/**
 * The concerns this member could possibly see, as a subquery of ids, when their grants are
 * bounded by pupils (undefined when one covers the whole school); visibleWhere still decides.
 */
export function candidateConcerns(
  actor: Actor,
  from: number,
): { sql: string; params: unknown[] } | undefined {
  return candidateRecordsSql(actor, from);
}

/**
 * May the viewer see this pupil at all (name included)? Issue 4 shows another linked pupil on a
 * record as "Another pupil" to someone for whom this is false.
 */
export function canSeePupil(actor: Actor, pupil: PupilRef): boolean {
  return (
    actor.elevated &&
    pupilInScope(actor.permissions, { yearGroup: pupil.yearGroup, groupIds: pupilGroupRefs(pupil) })
  );
}

/** The name shown instead of a pupil the viewer may not see (never with an id or a link). */
export const HIDDEN_PUPIL = 'Another pupil';

/**
 * A pupil linked to a record as this viewer may see them. Protects the names of pupils outside
 * the viewer's scope on records they may otherwise read (a concern shared by a pupil they teach
 * and one they do not): the concern page, lists, the dashboard, search and the chronology present
 * linked pupils through this one function.
 * Shown: to whoever took part in the record (`knownTo`: its author, an action's assignee — they
 * named the pupils themselves), the pupil the page is about (`about`, e.g. the chronology's own
 * pupil), and any pupil in the viewer's scope (canSeePupil). Anyone else reads HIDDEN_PUPIL with
 * no id. To change safely: widen only with a reason the viewer already knows the pupil.
 */
export function pupilAsSeen(
  actor: Actor,
  pupil: PupilRef & { name: string },
  context: { knownTo?: readonly string[]; about?: string } = {},
): { id: string | null; name: string } {
  const shown =
    pupil.id === context.about ||
    (context.knownTo ?? []).includes(actor.userId) ||
    canSeePupil(actor, pupil);
  return shown ? { id: pupil.id, name: pupil.name } : { id: null, name: HIDDEN_PUPIL };
}
