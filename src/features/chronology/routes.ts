// The chronology routes' shared pieces: the entry schema, the filter query and the PDF export.
import { Type } from 'typebox';
import type { Tx } from '../../core/context.ts';
import { Uuid } from '../../shared/schemas/common.ts';
import { renderChronologyPdf } from './pdf.ts';
import { ENTRY_KINDS, buildChronology, type ChronologyFilter, type EntryKind } from './service.ts';

const N = Type.Union([Type.String(), Type.Null()]);
export const ChronologyEntry = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  happenedAt: Type.String({ format: 'date-time' }),
  title: Type.String(),
  text: N,
  categories: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), colour: Type.String() }),
  ),
  author: N,
  pupils: Type.Array(Type.Object({ id: N, name: Type.String(), role: Type.String() })),
  status: N,
  overdue: Type.Boolean(),
  /** What the viewer may do with the entry, from each record's policy; the UI shows only these. */
  allowed: Type.Array(Type.Union([Type.Literal('open'), Type.Literal('complete')])),
});

export const ChronologyQuery = Type.Object(
  {
    categoryId: Type.Optional(Uuid),
    kinds: Type.Optional(Type.Array(Type.Union(ENTRY_KINDS.map((k) => Type.Literal(k))))),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export function toFilter(q: {
  categoryId?: string;
  kinds?: EntryKind[];
  from?: string;
  to?: string;
}): ChronologyFilter {
  return {
    ...(q.categoryId ? { categoryId: q.categoryId } : {}),
    ...(q.kinds ? { kinds: q.kinds } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
  };
}

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
