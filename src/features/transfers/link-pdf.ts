// The file as a link's recipient downloads it (issue 18): the chronology narrative, each item as
// the chronology's PDF draws it (chronology/pdf.ts), then the items withheld with their reasons,
// then the manifest (each item's SHA-256, and the manifest's own). And the manifest on its own, as
// JSON, so the recipient can check the file against it. Both from the file frozen at sending.
import { renderChronologyPdf, type ChronologyPdfEntry } from '../chronology/pdf.ts';
import type { TransferFile } from './file.ts';

const KIND_LABELS: Record<string, string> = {
  concern: 'Concern',
  action: 'Action',
  referral: 'Referral',
  conversation: 'Conversation',
  case_event: 'Case',
  mis_event: 'MIS',
};

function entryOf(i: TransferFile['items'][number]): ChronologyPdfEntry {
  return {
    happenedAt: new Date(i.happenedAt),
    kind: KIND_LABELS[i.kind] ?? i.kind.replaceAll('_', ' '),
    title: i.title,
    categories: i.categories,
    text: [
      i.text ?? '',
      i.status ? `Status: ${i.status}` : '',
      i.pupils.length > 0
        ? `Other pupils: ${i.pupils.map((p) => `${p.name} (${p.role})`).join(', ')}`
        : '',
    ]
      .filter(Boolean)
      .join('\n'),
    author: i.author ?? 'Lantern',
    ...(i.bodyMap && i.bodyMap.length > 0 && { bodyMap: i.bodyMap }),
  };
}

/** Attachments do not travel by link yet: the file says so, and who to ask. */
export const attachmentsNotIncluded = (fromSchool: string) =>
  `Attachments (documents, photos) are not included in this transfer: ask ${fromSchool} for them.`;

export function linkFilePdf(o: {
  file: TransferFile;
  fromSchool: string;
  toSchool: string;
  now: Date;
}): Promise<Buffer> {
  const { file } = o;
  const withheld: ChronologyPdfEntry = {
    happenedAt: o.now,
    kind: 'File',
    title: `${file.withheld.length} ${file.withheld.length === 1 ? 'item' : 'items'} withheld`,
    categories: [],
    text:
      file.withheld.length === 0
        ? `Nothing was withheld. ${attachmentsNotIncluded(o.fromSchool)}`
        : [
            ...file.withheld.map((w) => `${w.itemId}: ${w.reason}`),
            attachmentsNotIncluded(o.fromSchool),
          ].join('\n'),
    author: o.fromSchool,
    undated: true,
  };
  const manifest: ChronologyPdfEntry = {
    happenedAt: o.now,
    kind: 'File',
    title: 'Manifest',
    categories: [],
    text: `SHA-256 of the manifest: ${file.manifestSha256}`,
    author: o.fromSchool,
    undated: true,
    table: {
      columns: ['Item', 'SHA-256'],
      rows: file.manifest.map((m) => [m.itemId, m.sha256]),
      widths: [0.4, 0.6],
    },
  };
  return renderChronologyPdf({
    schoolName: o.fromSchool,
    pupilName: file.pupil.name,
    title: `Child-protection file sent to ${o.toSchool}`,
    pupil: {
      dateOfBirth: file.pupil.dateOfBirth,
      upn: file.pupil.upn,
      yearGroup: null,
      form: null,
    },
    exportedBy: `the DSL of ${o.toSchool}, by a secure link`,
    exportedAt: o.now,
    total: file.items.length,
    entries: [...file.items.map(entryOf), withheld, manifest],
  });
}

/** The manifest as JSON: every item's id, kind and SHA-256, and the manifest's own. */
export function linkManifest(o: { file: TransferFile; fromSchool: string; toSchool: string }) {
  return {
    from: o.fromSchool,
    to: o.toSchool,
    pupil: o.file.pupil,
    algorithm: 'SHA-256 of each item as canonical JSON (keys sorted)',
    manifestSha256: o.file.manifestSha256,
    items: o.file.manifest,
    withheld: o.file.withheld,
    attachments: attachmentsNotIncluded(o.fromSchool),
  };
}
