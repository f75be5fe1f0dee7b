// The trust's figures (issue 20). Never computed by giving the trust read access to pupil rows:
// each sharing school's figures are computed INSIDE that school's own tenant, as the system,
// counting every record (reports/figures.ts buildReport, the governors' pack's count columns),
// suppressed there by the pack's own rule (packTables) and only then stored in
// trust_figure_snapshots: no count from 1 to 4 is stored where the trust can read it. The trust
// reads the snapshots under row-level security, which shows a school's row only while that school
// shares (migration 0065). Only CLOSED periods are published: the last full calendar month, each
// computed once and never again, and no two periods overlapping (a figure recomputed over a
// moving or growing range — the year to date, say — would give, by difference, one child's new
// record: October's year-to-date figures subtracted from November's are November's alone, unsuppressed). The hourly job (and the
// trust's button) compute only a period not yet stored. Across schools, totals are published only
// where every figure they add up is (suppression.ts). To change safely: keep the computation in
// the school's tenant (asSystem), keep periods closed and computed once, and keep reading
// snapshots only in the trust's lane.
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator, type SchoolTx } from '../../core/context.ts';
import { resolvePermissions } from '../../core/access/permissions.ts';
import type { Actor } from '../../core/access/actor.ts';
import type { TrustTx } from '../../core/trust-context.ts';
import { DomainError } from '../../core/errors.ts';
import { addDays, englandDay } from '../../shared/calendar.ts';
import type { PackTable } from '../../shared/schemas/reports.ts';
import type { TrustOverview, TrustSchoolFigures } from '../../shared/schemas/trust.ts';
import { buildReport } from '../reports/figures.ts';
import { packTables, PACK_FIGURES } from '../reports/governors-pack.ts';
import type { FigureId } from '../reports/definitions.ts';
import type { Cell } from '../reports/suppression.ts';
import { combineAcross } from './suppression.ts';

/**
 * A figure as stored in the snapshot: one count column of the school, already suppressed as the
 * governors' pack suppresses it ("<5", "[c]" in place of hidden numbers), with its total when the
 * pack's table has one.
 */
type StoredFigure = {
  id: string;
  title: string;
  definition: string;
  column: string;
  rows: { label: string; value: Cell }[];
  total?: Cell;
};

/**
 * The period the trust's figures cover at `now`: the last full calendar month (England's day), so
 * a period is closed before it is ever computed, and successive periods never overlap.
 */
export function closedPeriod(now: Date): { from: string; to: string } {
  const to = addDays(`${englandDay(now).slice(0, 8)}01`, -1);
  return { from: `${to.slice(0, 8)}01`, to };
}

/** The system counting a whole school (every record, case work included): never a person. */
const SCHOOL_COUNTER = (schoolId: string): Actor => ({
  userId: PLATFORM_SCHOOL_ID,
  schoolId,
  name: 'Lantern (trust figures)',
  role: 'dsl',
  elevated: true,
  permissions: resolvePermissions([
    {
      groupId: 'trust-figures',
      nonRestrictedDefault: 'view',
      restrictedDefault: 'view',
      categories: {},
      scope: { kind: 'school' },
      capabilities: ['manage_cases'],
    },
  ]),
});

/**
 * Computes the school's snapshot in its own transaction (its tenant) for the closed period
 * (closedPeriod), the pack's count columns suppressed as the pack suppresses them. Writes nothing
 * unless the school shares with its trust now, and nothing when that period is already stored
 * for that trust: a period is computed once.
 */
export async function computeSnapshot(t: SchoolTx): Promise<number> {
  const [share] = await t.q<{ trust_id: string }>(
    'SELECT trust_id FROM trust_sharing WHERE school_id = $1',
    [t.schoolId],
  );
  if (!share) return 0;
  const range = closedPeriod(t.now);
  const [stored] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM trust_figure_snapshots
     WHERE school_id = $1 AND trust_id = $2 AND to_day >= $3::date`,
    [t.schoolId, share.trust_id, range.to],
  );
  if ((stored?.n ?? 0) > 0) return 0;
  const report = await buildReport({ ...t, actor: SCHOOL_COUNTER(t.schoolId) }, range);
  const definitions = new Map(report.tables.map((x) => [x.id, x.definition]));
  const figures: StoredFigure[] = [];
  for (const table of packTables(report)) {
    const pick = PACK_FIGURES[table.id as FigureId];
    if (!pick) continue;
    pick.columns.forEach((k, j) => {
      figures.push({
        id: `${table.id}:${k}`,
        title: table.title,
        definition: definitions.get(table.id) ?? '',
        column: table.columns[j + 1] ?? '',
        rows: table.rows.map((r) => ({ label: r.label, value: r.values[j] ?? null })),
        ...(table.total ? { total: table.total.values[j] ?? null } : {}),
      });
    });
  }
  await t.q(
    `INSERT INTO trust_figure_snapshots (school_id, trust_id, computed_at, from_day, to_day, body)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (school_id) DO UPDATE SET trust_id = $2, computed_at = $3, from_day = $4,
       to_day = $5, body = $6::jsonb
     WHERE trust_figure_snapshots.trust_id <> $2 OR trust_figure_snapshots.to_day < $5::date`,
    [t.schoolId, share.trust_id, t.now, range.from, range.to, JSON.stringify(figures)],
  );
  await t.audit({ action: 'trust.figures_computed', targetType: 'school', targetId: t.schoolId });
  return 1;
}

/** Recomputes the snapshot of every sharing school (the job), or of those of one trust. */
export async function refreshSnapshots(
  services: Services,
  opts: { trustId?: string; detail?: string } = {},
): Promise<number> {
  const ids = (
    await unsafeAsOperator(services, SYSTEM_REASONS.scheduled, (t) =>
      t.q<{ school_id: string }>(
        `SELECT sh.school_id FROM trust_sharing sh JOIN schools s ON s.id = sh.school_id
         WHERE s.trust_id = sh.trust_id ${opts.trustId ? 'AND sh.trust_id = $1' : ''}
         ORDER BY sh.school_id`,
        opts.trustId ? [opts.trustId] : [],
      ),
    )
  ).map((r) => r.school_id);
  let n = 0;
  for (const id of ids) {
    try {
      n += await asSystem(services, id, 'scheduled', opts.detail).tx(computeSnapshot);
    } catch {
      services.log.error(`The trust figures failed for school ${id}; will retry on the next run`);
    }
  }
  return n;
}

type SnapshotRow = {
  school_id: string;
  name: string;
  computed_at: Date;
  from_day: string;
  to_day: string;
  body: StoredFigure[] | string;
};

/** The snapshots the trust may read now: row-level security keeps only the sharing schools. */
async function readSnapshots(t: TrustTx, schoolId?: string): Promise<SnapshotRow[]> {
  return t.q<SnapshotRow>(
    `SELECT f.school_id, s.name, f.computed_at, f.from_day::text AS from_day,
            f.to_day::text AS to_day, f.body
     FROM trust_figure_snapshots f JOIN schools s ON s.id = f.school_id
     WHERE f.trust_id = $1 ${schoolId ? 'AND f.school_id = $2' : ''}
     ORDER BY s.name, f.school_id`,
    schoolId ? [t.member.trustId, schoolId] : [t.member.trustId],
  );
}

const bodyOf = (r: SnapshotRow): StoredFigure[] =>
  typeof r.body === 'string' ? (JSON.parse(r.body) as StoredFigure[]) : r.body;

const NOTE =
  ' Each school’s column is suppressed as in its governors’ pack: any count from 1 to 4 is shown ' +
  'as “<5”, and where a hidden count could be worked out from a total a count of 5 or more is ' +
  'hidden too, “[c]”. A total across schools that adds up a hidden count is not shown either, ' +
  '“[c]”.';

const columnOf = (r: SnapshotRow) => ({
  id: r.school_id,
  name: r.name,
  asOf: new Date(r.computed_at).toISOString(),
  from: r.from_day,
  to: r.to_day,
});

/** The side-by-side table of each figure across the schools, totalled, suppressed. */
export function combine(snapshots: readonly SnapshotRow[]): PackTable[] {
  const bodies = snapshots.map(bodyOf);
  const ids: string[] = [];
  for (const b of bodies) for (const f of b) if (!ids.includes(f.id)) ids.push(f.id);
  return ids.map((id) => {
    const per = bodies.map((b) => b.find((f) => f.id === id));
    const first = per.find((f) => f !== undefined)!;
    const labels: string[] = [];
    for (const f of per)
      for (const r of f?.rows ?? []) if (!labels.includes(r.label)) labels.push(r.label);
    // Only a table whose rows add up to its total (the pack's own) has a total row: a total of
    // rows that count a record twice (a record in two categories) would be no total at all.
    const withTotal = per.every((f) => f === undefined || f.total !== undefined);
    const shown = combineAcross(
      per.map((f) => ({
        rows: labels.map((label) => f?.rows.find((r) => r.label === label)?.value ?? 0),
        ...(f?.total !== undefined ? { total: f.total } : f ? {} : { total: 0 }),
      })),
      withTotal,
    );
    return {
      id,
      title: `${first.title}: ${first.column.toLowerCase()}`,
      definition: first.definition + NOTE,
      columns: [first.title, ...snapshots.map((s) => s.name), 'All sharing schools'],
      rows: labels.map((label, i) => ({ label, values: shown.rows[i]! })),
      ...(shown.total ? { total: { label: 'Total', values: shown.total } } : {}),
    };
  });
}

export async function trustOverview(t: TrustTx): Promise<TrustOverview> {
  const snapshots = await readSnapshots(t);
  const all = await t.q<{ id: string; name: string }>(
    'SELECT id, name FROM schools WHERE trust_id = $1 ORDER BY name',
    [t.member.trustId],
  );
  const sharing = new Set(snapshots.map((s) => s.school_id));
  const [trust] = await t.q<{ name: string }>('SELECT name FROM trusts WHERE id = $1', [
    t.member.trustId,
  ]);
  const times = snapshots.map((s) => new Date(s.computed_at).getTime());
  await t.audit({
    action: 'trust.overview_viewed',
    targetType: 'trust',
    targetId: t.member.trustId,
    details: { schools: snapshots.length },
  });
  return {
    trust: trust?.name ?? '',
    schools: snapshots.map(columnOf),
    asOf: times.length > 0 ? new Date(Math.min(...times)).toISOString() : null,
    notSharing: all.filter((s) => !sharing.has(s.id)).map((s) => s.name),
    tables: combine(snapshots),
  };
}

export const NOT_SHARING = 'That school does not share its figures with the trust.';

/**
 * One school's column of the trust's tables — the same cells the overview shows (suppressed across
 * every sharing school, so the two views together give nothing away). A school of this trust that
 * does not share: 403; a school not in this trust: 404; the caller audits either refusal.
 */
export async function schoolFigures(
  t: TrustTx,
  schoolId: string,
): Promise<
  { ok: true; figures: TrustSchoolFigures } | { ok: false; error: DomainError; inTrust: boolean }
> {
  const snapshots = await readSnapshots(t);
  const at = snapshots.findIndex((s) => s.school_id === schoolId);
  if (at === -1) {
    const [school] = await t.q<{ id: string }>(
      'SELECT id FROM schools WHERE id = $1 AND trust_id = $2',
      [schoolId, t.member.trustId],
    );
    return school
      ? {
          ok: false,
          inTrust: true,
          error: new DomainError('forbidden', 'not_sharing', NOT_SHARING),
        }
      : {
          ok: false,
          inTrust: false,
          error: new DomainError(
            'not_found',
            'not_found',
            'There is no such school in your trust.',
          ),
        };
  }
  await t.audit({
    action: 'trust.school_figures_viewed',
    targetType: 'school',
    targetId: schoolId,
  });
  const school = columnOf(snapshots[at]!);
  return {
    ok: true,
    figures: {
      school,
      tables: combine(snapshots).map((table) => ({
        ...table,
        columns: [table.columns[0]!, school.name],
        rows: table.rows.map((r) => ({ label: r.label, values: [r.values[at] ?? null] })),
        ...(table.total
          ? { total: { label: table.total.label, values: [table.total.values[at] ?? null] } }
          : {}),
      })),
    },
  };
}
