// The local-authority (section 175) return (issue 20): the counts a local authority asks a school
// for each year, with no identifiers — no names, no ids, no dates of birth — taken from the same
// figures as the reports page, so the two always agree. For the DSL team: it needs case work.
import { csvRow } from '../../shared/csv.ts';
import type { Report, ReportTable } from '../../shared/schemas/reports.ts';
import { LEFT } from './figures.ts';

const total = (t: ReportTable | undefined, column = 0) => t?.total?.values[column] ?? null;
const row = (t: ReportTable | undefined, label: string, column = 0) =>
  t?.rows.find((r) => r.label === label)?.values[column] ?? 0;
/** The rows' sum, leaving out pupils who have left (they are not on roll). */
const sum = (t: ReportTable | undefined, column = 0) =>
  (t?.rows ?? []).filter((r) => r.label !== LEFT).reduce((n, r) => n + (r.values[column] ?? 0), 0);

export function laReturnCsv(report: Report, schoolName: string): string {
  const table = (id: string) => report.tables.find((t) => t.id === id);
  const byCategory = table('records_by_category');
  const years = table('pupils_by_year');
  const groups = table('pupils_by_group');
  const referrals = table('referrals_by_agency');
  const lines: (string | number | null)[][] = [
    ['Records logged', total(byCategory)],
    ['Pupils on roll with at least one record', sum(years)],
    ['Pupils on roll', sum(years, 1)],
    ['Pupils with a child protection plan', row(groups, 'Child protection plan', 1)],
    ['Children in need', row(groups, 'Child in need', 1)],
    ['Looked-after children', row(groups, 'Looked after', 1)],
    ['Previously looked-after children', row(groups, 'Previously looked after', 1)],
    ...(referrals?.rows ?? []).map((r): (string | number | null)[] => [
      `Referrals to ${r.label}`,
      r.values[0] ?? 0,
    ]),
    ['Referrals to all agencies', total(referrals)],
    ['Referrals answered on time (%)', referrals?.total?.values[3] ?? null],
    ['Cases open today', total(table('open_cases_by_age'))],
  ];
  return [
    csvRow(['School', schoolName]),
    csvRow(['From', report.from]),
    csvRow(['To', report.to]),
    csvRow(['Measure', 'Count']),
    ...lines.map(([label, value]) => csvRow([label, value ?? ''])),
  ].join('');
}
