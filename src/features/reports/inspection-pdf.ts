// The inspection pack as a PDF (issue 20): the same pack as the screen, with references in place
// of names. In each written reason and outcome every name Lantern holds for the school (the
// caller's list, namesToRedact) is replaced by its reference (redact-names.ts); a name Lantern does
// not hold cannot be found, and the PDF's first page says so.
import type { InspectionPack } from '../../shared/schemas/reports.ts';
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import { redactNames, type NamedPerson } from './redact-names.ts';

const cell = (v: number | null) => (v === null ? '–' : String(v));

export async function inspectionPdf(
  pack: InspectionPack,
  head: { schoolName: string; exportedBy: string; exportedAt: Date },
  names: readonly NamedPerson[],
): Promise<Buffer> {
  const at = new Date(pack.generatedAt);
  const cover: ChronologyPdfEntry = {
    happenedAt: at,
    kind: 'Pack',
    title: `${pack.from} to ${pack.to}, sample ${pack.sample}`,
    categories: [],
    author: 'Lantern',
    text: [
      `A sample of ${pack.decisions.length} of the ${pack.decisionsInRange} decisions recorded in the range, with their reasons as written.`,
      'People are named by reference only: P- a pupil, S- a member of staff, C- a pupil’s contact, D- a decision (the start of the record’s id in Lantern; the DSL team sees the names on screen).',
      'In each reason, every name Lantern holds for the school (pupils, staff, the sampled pupils’ contacts) is replaced by its reference. A name Lantern does not hold cannot be found: read the reasons before sharing this document.',
    ].join('\n'),
  };
  const decisions = pack.decisions.map((d): ChronologyPdfEntry => {
    return {
      happenedAt: new Date(d.at),
      kind: 'Decision',
      title: `${d.ref}: ${d.decision}`,
      categories: [],
      author: d.decidedBy.ref,
      text: [
        `Pupils: ${d.pupils.map((p) => p.ref).join(', ') || 'none'}`,
        ...(d.rationale !== null ? [`Reason: ${redactNames(d.rationale, names)}`] : []),
        ...(d.outcome !== null ? [`Outcome: ${redactNames(d.outcome, names)}`] : []),
      ].join('\n'),
    };
  });
  const policies: ChronologyPdfEntry = {
    happenedAt: at,
    kind: 'Policies',
    title: 'Policy versions in force at the end of the range',
    categories: [],
    author: 'Lantern',
    text: [
      pack.policyNote,
      '',
      ...pack.policies.map(
        (p) =>
          `${p.name}: version ${p.version}${p.changedAt ? `, last changed ${p.changedAt.slice(0, 10)} by ${p.changedBy?.ref ?? ''} (audit entry ${p.entry ?? ''})` : ''}`,
      ),
    ].join('\n'),
  };
  const figures = pack.timeliness.map((tbl): ChronologyPdfEntry => ({
    happenedAt: at,
    kind: 'Figure',
    title: tbl.title,
    categories: [],
    author: 'Lantern',
    text: [
      tbl.definition,
      '',
      tbl.columns.join(' | '),
      ...[...tbl.rows, ...(tbl.total ? [tbl.total] : [])].map(
        (r) => `${r.label} | ${r.values.map(cell).join(' | ')}`,
      ),
    ].join('\n'),
  }));
  const entries = [cover, ...decisions, policies, ...figures];
  return renderChronologyPdf({
    schoolName: head.schoolName,
    pupilName: '',
    title: 'Inspection pack: safeguarding decisions, policies and timeliness',
    unit: { one: 'section', many: 'sections' },
    exportedBy: head.exportedBy,
    exportedAt: head.exportedAt,
    total: entries.length,
    entries,
  });
}
