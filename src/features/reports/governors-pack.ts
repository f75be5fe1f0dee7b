// The governors' pack (issue 20): the report's figures for a range, with only counts (no shares,
// no medians worked from small numbers), suppressed (suppression.ts) BEFORE they are stored, so
// the pack holds no count from 1 to 4 and no route can give one back. Prepared by a member with
// reports; released only when a member of the DSL team approves it; numbered per school; a PDF
// only once released. Preparing, reading, releasing and downloading are each audited.
import { createHash } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { conflict, forbidden, notFound } from '../../core/errors.ts';
import type {
  Pack,
  PackList,
  PackSummary,
  PackTable,
  Report,
} from '../../shared/schemas/reports.ts';
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import { buildReport, type Range } from './figures.ts';
import { hideWithTheirTotal, SECONDARY, suppress, SUPPRESSED, type Cell } from './suppression.ts';
import type { FigureId } from './definitions.ts';
import { packDecider } from './policy.ts';
import {
  fixedPeriodOf,
  periodChoices,
  refuseChangedRelease,
  refusePartialOverlap,
} from './pack-periods.ts';

/**
 * The figures a pack carries, and which of their columns are counts (shares and medians are
 * dropped). Each total appears once in the pack, so hiding it in one place hides it: "All
 * records" on the term table only (the months, which add up to it too, and the category table's
 * copy are left out), pupils by year group only (not again by sex).
 */
export const PACK_FIGURES: Partial<
  Record<FigureId, { columns: readonly number[]; total: boolean }>
> = {
  records_by_term: { columns: [0], total: true },
  records_by_category: { columns: [0], total: false },
  pupils_by_year: { columns: [0, 1], total: false },
  pupils_by_group: { columns: [0, 1], total: false },
  open_cases_by_age: { columns: [0], total: true },
  referrals_by_agency: { columns: [0, 1, 2], total: true },
};

const NOTE =
  ' In this pack any count from 1 to 4 is shown as “<5”; where a hidden count could be worked ' +
  'out from a total, a count of 5 or more is hidden too, shown as “[c]”. Percentages are left out.';

/**
 * The pack's tables, with the record tables (by term, by category) hidden together with their
 * total when the pack hides that total, or when the category column (its total taken as known)
 * could not be protected without hiding it (suppression.ts).
 */
function relatedHidden(report: Report, tables: PackTable[]): PackTable[] {
  const rawTerm = report.tables.find((x) => x.id === 'records_by_term');
  const rawCategory = report.tables.find((x) => x.id === 'records_by_category');
  const term = tables.find((x) => x.id === 'records_by_term');
  const shown = term?.total?.values[0];
  const known = rawTerm?.total?.values[0];
  if (!term || shown === undefined || typeof known !== 'number') return tables;
  const check = rawCategory
    ? suppress(
        rawCategory.rows.map((r) => ({ label: r.label, values: [r.values[0] ?? null] })),
        { label: 'Total', values: [known] },
      ).total?.values[0]
    : known;
  // Shown as it is when both tables keep it; otherwise hidden — as "<5" when it is 1 to 4 (the
  // mark means exactly that), as "[c]" (5 or more) when it is larger.
  const total: Cell =
    typeof shown === 'number' && typeof check === 'number'
      ? shown
      : shown === SUPPRESSED || (typeof known === 'number' && known >= 1 && known <= 4)
        ? SUPPRESSED
        : SECONDARY;
  return tables.map((x) => {
    if (x.id !== 'records_by_term' && x.id !== 'records_by_category') return x;
    const [column] = hideWithTheirTotal([x.rows.map((r) => r.values[0] ?? null)], total);
    return {
      ...x,
      rows: x.rows.map((r, i) => ({ ...r, values: [column![i]!, ...r.values.slice(1)] })),
      ...(x.total ? { total: { ...x.total, values: [total, ...x.total.values.slice(1)] } } : {}),
    };
  });
}

/** The report's tables as the pack shows them: counts only, suppressed. */
export function packTables(report: Report): PackTable[] {
  const out: PackTable[] = [];
  for (const table of report.tables) {
    const figure = PACK_FIGURES[table.id as FigureId];
    if (!figure) continue;
    const keep = figure.columns;
    const pick = (values: readonly (number | null)[]) => keep.map((i) => values[i] ?? null);
    const hidden = suppress(
      table.rows.map((r) => ({ label: r.label, values: pick(r.values) })),
      figure.total && table.total
        ? { label: table.total.label, values: pick(table.total.values) }
        : undefined,
    );
    out.push({
      id: table.id,
      title: table.title,
      definition: table.definition + NOTE,
      columns: [table.columns[0]!, ...keep.map((i) => table.columns[i + 1]!)],
      rows: hidden.rows,
      ...(hidden.total ? { total: hidden.total } : {}),
    });
  }
  return relatedHidden(report, out);
}

type PackRow = {
  id: string;
  version: number;
  from_day: string;
  to_day: string;
  body: PackTable[] | string;
  sha256: string;
  prepared_by_name: string;
  prepared_at: Date;
  released_by_name: string | null;
  released_at: Date | null;
};

const SELECT = `SELECT p.id, p.version, p.from_day::text AS from_day, p.to_day::text AS to_day,
    p.body, p.sha256, pu.name AS prepared_by_name, p.prepared_at, ru.name AS released_by_name,
    p.released_at
  FROM governors_packs p JOIN users pu ON pu.id = p.prepared_by
  LEFT JOIN users ru ON ru.id = p.released_by`;

function summaryOf(row: PackRow, dsl: boolean): PackSummary {
  const released = row.released_at !== null;
  return {
    id: row.id,
    version: row.version,
    from: row.from_day,
    to: row.to_day,
    preparedBy: row.prepared_by_name,
    preparedAt: new Date(row.prepared_at).toISOString(),
    releasedBy: row.released_by_name,
    releasedAt: released ? new Date(row.released_at!).toISOString() : null,
    sha256: row.sha256,
    allowed: { release: dsl && !released, download: released },
  };
}

const noPack = () => notFound('That governors’ pack');

async function packRow(t: Tx, id: string, lock = false): Promise<PackRow> {
  const [row] = await t.q<PackRow>(`${SELECT} WHERE p.id = $1${lock ? ' FOR UPDATE OF p' : ''}`, [
    id,
  ]);
  if (!row) throw noPack();
  return row;
}

const bodyOf = (row: PackRow): PackTable[] =>
  typeof row.body === 'string' ? (JSON.parse(row.body) as PackTable[]) : row.body;

export async function preparePack(t: Tx, range: Range): Promise<PackSummary> {
  if (!(await packDecider(t.db, t.actor))) {
    throw forbidden(
      'Only a member of the DSL team can prepare the governors’ pack: it counts every record, which only they may see.',
    );
  }
  // Whole fixed periods only, never overlapping a released pack in part (pack-periods.ts).
  await fixedPeriodOf(t, range);
  await refusePartialOverlap(t, range);
  const tables = packTables(await buildReport(t, range));
  const text = JSON.stringify(tables);
  const sha256 = createHash('sha256').update(text).digest('hex');
  await refuseChangedRelease(t, range, sha256);
  // One pack numbered at a time per school: the lock is the school's row.
  await t.q('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [t.schoolId]);
  const [next] = await t.q<{ version: number }>(
    'SELECT coalesce(max(version), 0) + 1 AS version FROM governors_packs',
  );
  const [made] = await t.q<{ id: string }>(
    `INSERT INTO governors_packs (school_id, version, from_day, to_day, body, sha256, prepared_by, prepared_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) RETURNING id`,
    [t.schoolId, next!.version, range.from, range.to, text, sha256, t.actor.userId, t.now],
  );
  await t.audit({
    action: 'reports.pack_prepared',
    targetType: 'governors_pack',
    targetId: made!.id,
    details: { version: Number(next!.version), from: range.from, to: range.to },
  });
  return summaryOf(await packRow(t, made!.id), await packDecider(t.db, t.actor));
}

export async function listPacks(t: Tx): Promise<PackList> {
  const dsl = await packDecider(t.db, t.actor);
  // Before release a version is the DSL team's alone.
  const rows = await t.q<PackRow>(
    `${SELECT}${dsl ? '' : ' WHERE p.released_at IS NOT NULL'} ORDER BY p.version DESC LIMIT 50`,
  );
  return {
    items: rows.map((r) => summaryOf(r, dsl)),
    canPrepare: dsl,
    periods: dsl ? await periodChoices(t) : [],
  };
}

export async function readPack(t: Tx, id: string): Promise<Pack> {
  const row = await packRow(t, id);
  const dsl = await packDecider(t.db, t.actor);
  if (row.released_at === null && !dsl) throw noPack();
  await t.audit({
    action: 'reports.pack_viewed',
    targetType: 'governors_pack',
    targetId: id,
    details: { version: Number(row.version) },
  });
  return { ...summaryOf(row, dsl), tables: bodyOf(row) };
}

/** The DSL team's approval: the pack is released as it stands, once. */
export async function releasePack(t: Tx, id: string): Promise<PackSummary> {
  const row = await packRow(t, id, true);
  if (!(await packDecider(t.db, t.actor))) {
    throw forbidden('Only a member of the DSL team can approve the governors’ pack for release.');
  }
  if (row.released_at !== null) {
    throw conflict(`Version ${row.version} was already released. Prepare a new pack to change it.`);
  }
  // Releases one at a time per school (the school's row), so two packs sharing days cannot both
  // pass the checks below in concurrent transactions.
  await t.q('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [t.schoolId]);
  const range = { from: row.from_day, to: row.to_day };
  await refusePartialOverlap(t, range, id);
  await refuseChangedRelease(t, range, row.sha256, id);
  await t.q('UPDATE governors_packs SET released_by = $2, released_at = $3 WHERE id = $1', [
    id,
    t.actor.userId,
    t.now,
  ]);
  await t.audit({
    action: 'reports.pack_released',
    targetType: 'governors_pack',
    targetId: id,
    details: { version: Number(row.version), sha256: row.sha256 },
  });
  return summaryOf(await packRow(t, id), true);
}

export async function packPdf(t: Tx, id: string): Promise<{ pdf: Buffer; version: number }> {
  const row = await packRow(t, id);
  if (row.released_at === null) {
    throw conflict('This pack has not been approved for release yet: a DSL must approve it first.');
  }
  await t.audit({
    action: 'reports.pack_downloaded',
    targetType: 'governors_pack',
    targetId: id,
    details: { version: Number(row.version) },
  });
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.schoolId,
  ]);
  const released = new Date(row.released_at);
  const cover: ChronologyPdfEntry = {
    happenedAt: released,
    kind: 'Release',
    title: `version ${row.version}, ${row.from_day} to ${row.to_day}`,
    categories: [],
    author: row.released_by_name ?? '',
    text: [
      `Prepared by ${row.prepared_by_name}; approved for release by ${row.released_by_name} (DSL team).`,
      'Aggregates only: no names, initials or free text.',
      `SHA-256 of the figures as stored: ${row.sha256}`,
    ].join('\n'),
  };
  const entries = bodyOf(row).map((tbl): ChronologyPdfEntry => ({
    happenedAt: released,
    kind: 'Figure',
    title: tbl.title,
    categories: [],
    author: 'Lantern',
    text: [
      tbl.definition,
      '',
      tbl.columns.join(' | '),
      ...[...tbl.rows, ...(tbl.total ? [tbl.total] : [])].map(
        (r) => `${r.label} | ${r.values.map((v) => (v === null ? '–' : String(v))).join(' | ')}`,
      ),
    ].join('\n'),
  }));
  const pdf = await renderChronologyPdf({
    schoolName: school?.name ?? '',
    pupilName: '',
    title: `Governors’ safeguarding report, version ${row.version}`,
    unit: { one: 'figure', many: 'figures' },
    exportedBy: t.actor.name,
    exportedAt: t.now,
    total: entries.length,
    entries: [cover, ...entries],
  });
  return { pdf, version: row.version };
}
