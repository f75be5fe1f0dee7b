// The chronology as a PDF (pdf.ts draws it): every entry the viewer may see under the filters,
// newest first as on the screen, with the school, the pupil and who exported it on every page. Streamed: entries
// are read a batch at a time in the chronology's order and drawn as they arrive, and the file
// leaves as it is written, so memory stays flat however long the chronology.
//
// Protects the audit trail: the export is audited (who, whose, how many entries) in a transaction
// of its own that commits BEFORE the first byte is sent — the chain's head is not held while the
// file streams, and no byte of a child's record leaves without its entry (fails closed). The
// entries are then read a batch at a time, each in a short transaction of its own under the same
// actor and rules; the wait for a slow reader happens between them, outside any transaction, so a
// long download holds no connection and blocks no one. An error half way (the database, the
// reader going away) is logged by code only and destroys the stream: the reply is cut off and the
// file lacks its trailer, so it is never mistaken for a whole one. To change safely: keep the
// audit's commit before `stream` is handed to the reply, keep every read inside `readChronology`,
// and never await the reader inside `c.tx`.
import { statementsByConcern, withStatements } from '../data-protection/rights/statements.ts';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { RequestContext, Tx } from '../../core/context.ts';
import type { BodyMapMark } from '../../shared/body-map.ts';
import { pupilRoleLabel } from '../../shared/pupil-roles.ts';
import { pupilInReach } from '../pupils/service.ts';
import { readSettings } from '../../core/settings.ts';
import { openChronologyPdf, type ChronologyPdfEntry } from './pdf.ts';
import {
  countChronology,
  readChronology,
  type ChronologyEntry,
  type ChronologyFilter,
  type Position,
} from './service.ts';

/** Entries read and drawn per round: enough to keep the database busy, few enough to stay small. */
export const EXPORT_BATCH = 250;
/** Bytes of PDF waiting for the reader before reading pauses. */
const HIGH_WATER = 256 * 1024;

export type ChronologyExport = {
  /** The PDF's bytes: hand to the reply. */
  stream: Readable;
  /** Resolves once every entry is written (or the stream was destroyed on an error). */
  written: Promise<void>;
};

/** Each kind of entry as the PDF names it. */
const KIND_LABELS: Record<string, string> = {
  concern: 'Concern',
  action: 'Action',
  referral: 'Referral',
  conversation: 'Conversation',
  case_event: 'Case',
  mis_event: 'MIS',
};

export function pdfEntry(
  e: ChronologyEntry,
  bodyMap: BodyMapMark[] | undefined,
): ChronologyPdfEntry {
  return {
    happenedAt: new Date(e.happenedAt),
    kind: KIND_LABELS[e.kind] ?? e.kind.replaceAll('_', ' '),
    title: e.title,
    categories: e.categories.map((c) => c.name),
    text: [
      e.text ?? '',
      e.pupils.length > 1
        ? `Pupils: ${e.pupils.map((p) => `${p.name} (${pupilRoleLabel(p.role).toLowerCase()})`).join(', ')}`
        : '',
    ]
      .filter(Boolean)
      .join('\n'),
    // Every entry says who made it; what the school's systems recorded says so.
    author:
      e.author ?? (e.kind === 'mis_event' ? 'the MIS (school information system)' : 'Lantern'),
    ...(bodyMap && bodyMap.length > 0 ? { bodyMap } : {}),
  };
}

/** The body maps of the concerns among `entries` (already chosen by the viewer's rules). */
export async function bodyMapsOf(
  t: Tx,
  entries: ChronologyEntry[],
): Promise<Map<string, BodyMapMark[]>> {
  const ids = entries.filter((e) => e.kind === 'concern').map((e) => e.id);
  if (ids.length === 0) return new Map();
  const rows = await t.q<{ id: string; body_map: Buffer }>(
    'SELECT id, body_map FROM concerns WHERE id = ANY($1::uuid[]) AND body_map IS NOT NULL',
    [ids],
  );
  const sealer = await t.sealer();
  return new Map(
    rows.map((r) => [r.id, sealer.openJson<BodyMapMark[]>('concerns.body_map', r.id, r.body_map)]),
  );
}

/** Where a failed export is noted: the request's logger (a code only, never a message). */
export type ExportLog = { warn: (details: { code: string }, message: string) => void };

class ExportStopped extends Error {
  readonly code: string;
  constructor(code: string) {
    super('chronology export stopped');
    this.name = 'ExportStopped';
    this.code = code;
  }
}

/**
 * What may be logged of an error: its code (a database's SQLSTATE, Node's ERR_…) or else its
 * class name — never its message, which may quote a child's record or a query's values.
 */
function safeCode(err: unknown): string {
  const { code } = (err ?? {}) as { code?: unknown };
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code)) return code;
  return err instanceof Error && /^[A-Za-z0-9_]{1,64}$/.test(err.name) ? err.name : 'unknown';
}

/** Until the reader has taken most of what is written (or has gone). */
async function roomFor(doc: Readable, out: Writable): Promise<void> {
  while (doc.readableLength + out.writableLength > HIGH_WATER && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const go = () => {
        out.off('drain', go);
        out.off('close', go);
        resolve();
      };
      out.once('drain', go);
      out.once('close', go);
      // The piped document may hold bytes the reply has room for: let them move first.
      if (!out.writableNeedDrain) setImmediate(go);
    });
  }
}

/**
 * Audits the export and starts the PDF: 403/404 (and nothing audited) when the pupil is out of
 * reach; otherwise the stream, whose entries are written as `written` runs.
 */
export async function exportChronologyPdf(
  c: RequestContext,
  pupilId: string,
  filter: ChronologyFilter,
  log: ExportLog,
): Promise<ChronologyExport> {
  const head = await c.tx(async (t) => {
    const pupil = await pupilInReach(t, pupilId);
    const total = await countChronology(t, pupil.id, filter);
    const [school] = await t.q<{ name: string; settings: unknown }>(
      'SELECT name, settings FROM schools WHERE id = $1',
      [t.actor.schoolId],
    );
    const [who] = await t.q<{ dob: string | null; upn: string | null }>(
      'SELECT date_of_birth::text AS dob, upn FROM pupils WHERE id = $1',
      [pupil.id],
    );
    await t.audit({
      action: 'chronology.exported',
      targetType: 'pupil',
      targetId: pupil.id,
      details: { format: 'pdf', entries: total },
    });
    return {
      pupil,
      details: {
        dateOfBirth: who?.dob ?? null,
        upn: who?.upn ?? null,
        yearGroup: pupil.year_group ?? null,
        form: pupil.form ?? null,
      },
      marking: readSettings(school?.settings).protectiveMarking,
      schoolName: school?.name ?? 'School',
      exportedBy: t.actor.name,
      exportedAt: t.now,
      total,
    };
  });
  const pdf = openChronologyPdf({
    schoolName: head.schoolName,
    exportedBy: head.exportedBy,
    exportedAt: head.exportedAt,
    total: head.total,
    pupilName: head.pupil.name,
    pupil: head.details,
    marking: head.marking,
  });
  const doc = pdf.stream as Readable;
  const out = new PassThrough();
  doc.pipe(out);
  doc.on('error', () => out.destroy(new Error('chronology export stopped part way')));
  const written = (async () => {
    let after: Position | undefined;
    for (;;) {
      // Each batch in a short transaction of its own (the keyset position holds across them), so
      // no connection, school slot or lock is held while the reader takes its time.
      const { batch, maps, statements } = await c.tx(async (t) => {
        const read = await readChronology(t, head.pupil.id, filter, {
          size: EXPORT_BATCH,
          direction: 'newest_first',
          ...(after ? { after } : {}),
        });
        const statements = await statementsByConcern(
          t,
          read.entries.filter((e) => e.kind === 'concern').map((e) => e.id),
        );
        return { batch: read, maps: await bodyMapsOf(t, read.entries), statements };
      });
      // The subject's rectification statements travel with their record (issue 17).
      for (const e of batch.entries)
        pdf.add(
          pdfEntry(
            e.kind === 'concern' ? { ...e, text: withStatements(e.text, statements.get(e.id)) } : e,
            maps.get(e.id),
          ),
        );
      await roomFor(doc, out);
      if (out.destroyed) throw new ExportStopped('reader_gone');
      if (!batch.more || !batch.last) return;
      after = batch.last;
    }
  })()
    .then(() => pdf.finish())
    .catch((err: unknown) => {
      // Cut the reply off: a file without its trailer is never taken for a whole one. The reply
      // logs the error it is given: a plain one, as a database error may quote values; here only
      // a code is logged (never the error's message).
      log.warn({ code: safeCode(err) }, 'chronology export stopped part way');
      doc.unpipe(out);
      doc.destroy();
      out.destroy(new Error('chronology export stopped part way'));
    });
  return { stream: out, written };
}
