// A pupil's chronology as a real PDF: selectable text, the school and pupil on the first page, and
// on EVERY page who exported it, when, and "Page n of m", so a single printed page found on a desk
// still says whose record it is and where it came from. The caller decides what the viewer may see
// and audits the export; this only lays out what it is given.

import PDFDocument from 'pdfkit';

export interface ChronologyPdfEntry {
  happenedAt: Date;
  /** e.g. "Concern", "Action", "Referral", "Conversation", "Case", "MIS". */
  kind: string;
  title: string;
  categories: readonly string[];
  text: string;
  author: string;
}

export interface ChronologyPdfInput {
  schoolName: string;
  pupilName: string;
  exportedBy: string;
  exportedAt: Date;
  entries: readonly ChronologyPdfEntry[];
  /**
   * TrueType/OpenType fonts for names and text outside Latin-1 (e.g. Polish, Arabic, Chinese).
   * Without them the PDF standard Helvetica is used and other characters are replaced by '?'.
   */
  fonts?: { regular: Buffer; bold: Buffer };
  timeZone?: string;
}

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const GREY = '#555555';

function dateFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

// Helvetica's built-in encoding is WinAnsi: keep what it can show, fold accents where that gives a
// letter it can show, and mark the rest with '?' rather than printing a wrong glyph silently.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
// Letters with a stroke have no Unicode decomposition; these are common in pupils' names.
const STROKED: Readonly<Record<string, string>> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ħ: 'h',
};
function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (
      code === 0x09 ||
      code === 0x0a ||
      (code >= 0x20 && code < 0x7f) ||
      (code >= 0xa0 && code <= 0xff)
    ) {
      out += ch;
    } else if (WIN_ANSI_EXTRA.has(ch)) {
      out += ch;
    } else if (STROKED[ch] !== undefined) {
      out += STROKED[ch];
    } else {
      const folded = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out +=
        folded.length > 0 && [...folded].every((c) => (c.codePointAt(0) ?? 0) < 0x7f)
          ? folded
          : '?';
    }
  }
  return out;
}

/** Renders the chronology, oldest entry first (a stable sort by happenedAt). */
export function renderChronologyPdf(input: ChronologyPdfInput): Promise<Buffer> {
  const clean = input.fonts ? (s: string): string => s : toWinAnsi;
  const when = dateFormat(input.timeZone ?? 'Europe/London');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    bufferPages: true,
    info: {
      Title: clean(`Chronology: ${input.pupilName}`),
      Author: clean(input.exportedBy),
      Producer: 'Lantern',
      Creator: 'Lantern',
    },
  });
  const regular = input.fonts ? 'body' : 'Helvetica';
  const bold = input.fonts ? 'body-bold' : 'Helvetica-Bold';
  if (input.fonts) {
    doc.registerFont(regular, input.fonts.regular);
    doc.registerFont(bold, input.fonts.bold);
  }

  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  doc
    .font(bold)
    .fontSize(18)
    .text(clean(`Chronology: ${input.pupilName}`), { width });
  doc.font(regular).fontSize(11).fillColor(GREY).text(clean(input.schoolName), { width });
  doc.text(`${input.entries.length} ${input.entries.length === 1 ? 'entry' : 'entries'}`, {
    width,
  });
  doc.fillColor('black').moveDown(1);

  const entries = input.entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) => a.entry.happenedAt.getTime() - b.entry.happenedAt.getTime() || a.index - b.index,
    );

  for (const { entry } of entries) {
    const heading = `${when.format(entry.happenedAt)}  ·  ${entry.kind}: ${entry.title}`;
    // Keep a heading with at least the first lines of its text.
    if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    doc.font(bold).fontSize(10.5).fillColor('black').text(clean(heading), { width });
    const meta = [
      entry.categories.length > 0 ? entry.categories.join(', ') : null,
      `by ${entry.author}`,
    ]
      .filter((part) => part !== null)
      .join('  ·  ');
    doc.font(regular).fontSize(9).fillColor(GREY).text(clean(meta), { width });
    doc.fontSize(10).fillColor('black').text(clean(entry.text), { width, paragraphGap: 2 });
    doc.moveDown(0.8);
  }

  const footer = clean(`Exported by ${input.exportedBy} on ${when.format(input.exportedAt)}`);
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would make pdfkit add a page; lift the margin while we do.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - 12;
    doc.font(regular).fontSize(8).fillColor(GREY);
    doc.text(footer, MARGIN, y, { width, align: 'left', lineBreak: false });
    doc.text(`Page ${i - start + 1} of ${count}`, MARGIN, y, {
      width,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.flushPages();
  doc.end();
  return done;
}
