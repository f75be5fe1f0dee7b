// Finding pupils, and the rule every page about one pupil starts with: the pupil must be within
// the scope of one of the viewer's grants. Protects the profile, the chronology and its PDF export
// alike: each must refuse a pupil outside every grant's scope (403), whatever capabilities
// (export) the viewer holds. To change safely: keep every per-pupil route going through
// pupilInReach or visiblePupil.
import type { Tx } from '../../core/context.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { can } from '../../core/access/actor.ts';
import { pupilInScope } from '../../core/access/permissions.ts';
import { pupilGroupRefs } from '../../core/access/load.ts';
import type { PupilSummary } from '../../shared/schemas/pupils.ts';

export type PupilRow = { id: string; name: string; year_group: string | null; form: string | null };

type Scoped = { year_group: string | null; form: string | null; group_refs: string[] };

export const presentPupil = (r: PupilRow): PupilSummary => ({
  id: r.id,
  name: r.name,
  yearGroup: r.year_group,
  form: r.form,
});

const NAME = `coalesce(preferred_name, first_name) || ' ' || last_name`;

const inScope = (t: Tx, p: Scoped) =>
  pupilInScope(t.actor.permissions, {
    yearGroup: p.year_group,
    groupIds: pupilGroupRefs({ form: p.form, groupRefs: p.group_refs }),
  });

function requireInScope(t: Tx, p: Scoped): void {
  if (!inScope(t, p)) {
    throw forbidden('This pupil is outside the groups your permissions cover.');
  }
}

/**
 * Whether the viewer may open the pupil's own page (profile and chronology): the ability the
 * page's route asks, and the pupil within the viewer's scope, as visiblePupil decides. For a page
 * elsewhere that names the pupil and would link to theirs (issue 19: a staff matter's linked pupils).
 */
export function mayOpenPupil(t: Tx, p: Scoped): boolean {
  return can(t.actor, 'pupil.chronology') && inScope(t, p);
}

/** The pupil, named as the school knows them, if within the viewer's scope. */
export async function pupilInReach(t: Tx, id: string): Promise<PupilRow> {
  const [pupil] = await t.q<PupilRow & { group_refs: string[] }>(
    `SELECT id, ${NAME} AS name, year_group, form,
            lantern_pupil_group_refs(id, form) AS group_refs FROM pupils WHERE id = $1`,
    [id],
  );
  if (!pupil) throw notFound('That pupil');
  requireInScope(t, pupil);
  return pupil;
}

/** Every column of the pupil's row (for the profile), if within the viewer's scope. */
export type FullPupilRow = Record<string, unknown> &
  Scoped & { id: string; sibling_mis_ids: string[]; archived_at: Date | null };

export async function visiblePupil(t: Tx, id: string): Promise<FullPupilRow> {
  const [p] = await t.q<FullPupilRow>(
    'SELECT *, lantern_pupil_group_refs(id, form) AS group_refs FROM pupils WHERE id = $1',
    [id],
  );
  if (!p) throw notFound('That pupil');
  requireInScope(t, p);
  return p;
}

/** The words of a typed name that a look-up matches on (at most four). */
const nameWords = (typed: string) => typed.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 4);

/**
 * A person's look-up of pupils by name: what findPupils finds, audited as one entry per request
 * in the same transaction (the number of words and the ids shown, never the words typed).
 */
export async function searchPupils(
  t: Tx,
  typed: string,
  includeArchived: boolean,
): Promise<PupilSummary[]> {
  const found = await findPupils(t, typed, includeArchived);
  await t.audit({
    action: 'pupil.searched',
    details: {
      terms: nameWords(typed).length,
      includeArchived,
      results: found.map((p) => p.id),
    },
  });
  return found;
}

/**
 * Pupils any of whose name parts start with each word typed (at most four words, 20 pupils).
 * LIKE metacharacters are escaped. Archived pupils (leavers) only when asked for.
 */
export async function findPupils(
  t: Tx,
  typed: string,
  includeArchived: boolean,
): Promise<PupilSummary[]> {
  const words = nameWords(typed).map((w) => w.replace(/[\\%_]/g, (m) => `\\${m}`));
  if (words.length === 0) return [];
  const conds = words.map(
    (_, i) =>
      `(lower(first_name) LIKE $${i + 1} OR lower(last_name) LIKE $${i + 1}
        OR lower(coalesce(preferred_name, '')) LIKE $${i + 1}
        OR lower(last_name) LIKE '%' || $${i + 1})`,
  );
  const rows = await t.q<PupilRow>(
    `SELECT id, ${NAME} AS name, year_group, form FROM pupils
     WHERE ${includeArchived ? '' : 'archived_at IS NULL AND '}${conds.join(' AND ')}
     ORDER BY last_name, first_name LIMIT 20`,
    words.map((w) => `${w}%`),
  );
  return rows.map(presentPupil);
}
