// The data-protection pack as a PDF: one section a heading, its rows as "label: value" lines,
// laid out by the chronology's PDF writer (selectable, tagged text; the school's protective
// marking and "Page n of m" on every page) so every PDF Lantern makes reads alike.
import { renderChronologyPdf, type ChronologyPdfEntry } from '../../chronology/pdf.ts';
import type { DataProtectionPack } from '../../../shared/schemas/dp-rights.ts';

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
    categories: [],
    author: 'Lantern',
    text: s.rows.map((r) => `${r.label}: ${r.value}`).join('\n'),
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
