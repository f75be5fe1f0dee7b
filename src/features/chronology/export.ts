// The chronology as a PDF (pdf.ts draws it): the same entries the page shows, with the school,
// the pupil and who exported it on every page. Every export is audited (who, when, how many).
import type { Tx } from '../../core/context.ts';
import { renderChronologyPdf } from './pdf.ts';
import { buildChronology, type ChronologyFilter } from './service.ts';

/** Renders the chronology as a PDF and audits the export (who, when, how many entries). */
export async function exportChronologyPdf(
  t: Tx,
  pupil: { id: string; name: string },
  filter: ChronologyFilter,
): Promise<Buffer> {
  const entries = await buildChronology(t, pupil.id, filter);
  const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
    t.actor.schoolId,
  ]);
  await t.audit({
    action: 'chronology.exported',
    targetType: 'pupil',
    targetId: pupil.id,
    details: { format: 'pdf', entries: entries.length },
  });
  return renderChronologyPdf({
    schoolName: school?.name ?? 'School',
    pupilName: pupil.name,
    exportedBy: t.actor.name,
    exportedAt: t.now,
    entries: entries.map((e) => ({
      happenedAt: new Date(e.happenedAt),
      kind: e.kind.replace('_', ' '),
      title: e.title,
      categories: e.categories.map((c) => c.name),
      text: [
        e.text ?? '',
        e.pupils.length > 1
          ? `Pupils: ${e.pupils.map((p) => `${p.name} (${p.role})`).join(', ')}`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
      author: e.author ?? '',
    })),
  });
}
