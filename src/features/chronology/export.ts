// The chronology as a PDF (pdf.ts draws it): every entry the viewer may see under the filters,
// oldest first, with the school, the pupil and who exported it on every page. Streamed: entries
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
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { RequestContext } from '../../core/context.ts';
import { pupilInReach } from '../pupils/service.ts';
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

function pdfEntry(e: ChronologyEntry): ChronologyPdfEntry {
  return {
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
  };
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
    const [school] = await t.q<{ name: string }>('SELECT name FROM schools WHERE id = $1', [
      t.actor.schoolId,
    ]);
    await t.audit({
      action: 'chronology.exported',
      targetType: 'pupil',
      targetId: pupil.id,
      details: { format: 'pdf', entries: total },
    });
    return {
      pupil,
      schoolName: school?.name ?? 'School',
      exportedBy: t.actor.name,
      exportedAt: t.now,
      total,
    };
  });
  const pdf = openChronologyPdf({ ...head, pupilName: head.pupil.name });
  const doc = pdf.stream as Readable;
  const out = new PassThrough();
  doc.pipe(out);
  doc.on('error', () => out.destroy(new Error('chronology export stopped part way')));
  const written = (async () => {
    let after: Position | undefined;
    for (;;) {
      // Each batch in a short transaction of its own (the keyset position holds across them), so
      // no connection, school slot or lock is held while the reader takes its time.
      const batch = await c.tx((t) =>
        readChronology(t, head.pupil.id, filter, {
          size: EXPORT_BATCH,
          direction: 'oldest_first',
          ...(after ? { after } : {}),
        }),
      );
      for (const e of batch.entries) pdf.add(pdfEntry(e));
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
