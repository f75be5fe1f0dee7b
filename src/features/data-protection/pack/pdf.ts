// The data-protection pack as a PDF: a heading a section, its rows a two-column table (the label
// heading its row, the value beside it, the columns named for what the section lists), laid out
// by the chronology's PDF writer so every PDF Lantern makes reads alike: selectable text, tagged
// for screen readers (H1, H2, P, Table/TR/TH/TD in a structure tree; language en-GB; the title
// shown), the school's protective marking and "Page n of m" on every page as artifacts.
import { renderChronologyPdf, type ChronologyPdfEntry } from '../../chronology/pdf.ts';
import type { DataProtectionPack } from '../../../shared/schemas/dp-rights.ts';

/** What each section's two columns hold, by section id (the default otherwise). */
const COLUMNS: Readonly<Record<string, readonly [string, string]>> = {
  about: ['Item', 'Detail'],
  data: ['Data', 'Held'],
  access: ['Category or group', 'Who may see it, add to it, or what it may do'],
  second_factor: ['Setting', 'Value'],
  retention: ['Kind of record', 'Kept for, then'],
  hosting: ['What', 'Where or how'],
  sub_processors: ['Sub-processor', 'Purpose; location'],
  backups: ['Setting', 'Value'],
  audit: ['Check', 'Result'],
};
const DEFAULT_COLUMNS = ['Item', 'Detail'] as const;

export function renderPackPdf(
  pack: DataProtectionPack,
  head: { exportedBy: string; marking: string },
): Promise<Buffer> {
  const at = new Date(pack.generatedAt);
  // One moment for every section: the writer orders newest first and keeps ties in given order.
  const entries = pack.sections.map((s): ChronologyPdfEntry => ({
    happenedAt: at,
    kind: 'Section',
    title: s.heading,
    undated: true,
    categories: [],
    author: 'Lantern',
    text: '',
    table: {
      columns: COLUMNS[s.id] ?? DEFAULT_COLUMNS,
      rows: s.rows.map((r) => [r.label, r.value]),
      rowHeaders: true,
      widths: [0.36, 0.64],
    },
  }));
  return renderChronologyPdf({
    schoolName: pack.school,
    pupilName: '',
    title: 'Data-protection pack',
    unit: { one: 'section', many: 'sections' },
    marking: head.marking,
    exportedBy: head.exportedBy,
    exportedAt: at,
    entries,
  });
}
