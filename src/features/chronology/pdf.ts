// A pupil's chronology as a real PDF: selectable text, the school and pupil on the first page, and
// on EVERY page who exported it, when, and "Page n of m", so a single printed page found on a desk
// still says whose record it is and where it came from. The caller decides what the viewer may see
// and audits the export; this only lays out what it is given.
//
// Written as a stream (openChronologyPdf): entries are drawn as they arrive and each page leaves
// for the reader as soon as it is full, so memory does not grow with the entries' text (only a
// few bytes a page). The one thing not known until the end — how many pages there are — is in a
// small form XObject each footer draws, whose content ("Page n of m") is written last. A document
// whose `finish` is never called lacks its cross-reference table and trailer: a reader refuses it
// as damaged rather than showing a short file as if it were whole.

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

/** What the PDF says about itself: whose chronology, from where, by whom, and how many entries. */
export interface ChronologyPdfHead {
  schoolName: string;
  pupilName: string;
  /** The document's title when it is not a pupil's chronology (a certificate of destruction). */
  title?: string;
  /** What the count on the first page counts ("entry" by default). */
  unit?: { one: string; many: string };
  exportedBy: string;
  exportedAt: Date;
  /** How many entries follow (on the first page). */
  total: number;
  /**
   * TrueType/OpenType fonts for names and text outside Latin-1 (e.g. Polish, Arabic, Chinese).
   * Without them the PDF standard Helvetica is used and other characters are replaced by '?'.
   */
  fonts?: { regular: Buffer; bold: Buffer };
  timeZone?: string;
}

export interface ChronologyPdfInput extends Omit<ChronologyPdfHead, 'total'> {
  entries: readonly ChronologyPdfEntry[];
  /** The count on the first page, when it is not the number of entries. */
  total?: number;
}

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const GREY = '#555555';
/** The same grey as PDF fill colour operands (r g b). */
const GREY_RGB = '0.333 0.333 0.333';

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

/** A chronology PDF being written: add entries in order, then finish (or destroy the stream). */
export interface ChronologyPdfStream {
  /** The document's bytes, as they are written. */
  readonly stream: NodeJS.ReadableStream & { destroy(error?: Error): void };
  add(entry: ChronologyPdfEntry): void;
  /** Writes the page count and the trailer, and ends the stream. */
  finish(): void;
}

/** The parts of pdfkit's document this file reaches beyond its typings (pdfkit 0.20). */
type Internals = {
  _font: { id: string; ref(): PDFKit.PDFKitReference; encode(text: string): [string[], unknown] };
  page: { xobjects: Record<string, PDFKit.PDFKitReference> };
};

type Style = 'heading' | 'meta' | 'text';

/** Starts a chronology PDF: the title block now, each entry as it is added, oldest first. */
export function openChronologyPdf(head: ChronologyPdfHead): ChronologyPdfStream {
  const clean = head.fonts ? (s: string): string => s : toWinAnsi;
  const when = dateFormat(head.timeZone ?? 'Europe/London');
  const title = head.title ?? `Chronology: ${head.pupilName}`;
  const unit = head.unit ?? { one: 'entry', many: 'entries' };
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    autoFirstPage: false,
    info: {
      Title: clean(title),
      Author: clean(head.exportedBy),
      Producer: 'Lantern',
      Creator: 'Lantern',
    },
  });
  const inner = doc as unknown as Internals;
  const regular = head.fonts ? 'body' : 'Helvetica';
  const bold = head.fonts ? 'body-bold' : 'Helvetica-Bold';
  if (head.fonts) {
    doc.registerFont(regular, head.fonts.regular);
    doc.registerFont(bold, head.fonts.bold);
  }
  // The style the body is in, so a footer drawn mid-entry (a page break inside a long text) can
  // put it back: the text carries on in the document's current font, size and colour.
  let style: Style = 'text';
  const STYLES: Record<Style, () => void> = {
    heading: () => doc.font(bold).fontSize(10.5).fillColor('black'),
    meta: () => doc.font(regular).fontSize(9).fillColor(GREY),
    text: () => doc.font(regular).fontSize(10).fillColor('black'),
  };
  const use = (s: Style) => {
    style = s;
    STYLES[s]();
  };

  // "Page n of m" is a small form XObject per page, drawn by the page's footer and written once
  // the number of pages is known; until then each is an empty reference (a few bytes a page).
  const labels: PDFKit.PDFKitReference[] = [];
  let footerFont: Internals['_font'] | undefined;
  const footer = clean(`Exported by ${head.exportedBy} on ${when.format(head.exportedAt)}`);
  const width = 595.28 - 2 * MARGIN;
  doc.on('pageAdded', () => {
    const { x, y: top } = doc;
    // Writing inside the bottom margin would make pdfkit add a page; lift the margin while we do.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - 12;
    doc.font(regular).fontSize(8).fillColor(GREY);
    footerFont ??= inner._font;
    doc.text(footer, MARGIN, y, { width: width - PAGE_LABEL_WIDTH - 10, lineBreak: false });
    const label = doc.ref({
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, -4, PAGE_LABEL_WIDTH, 12],
    });
    labels.push(label);
    inner.page.xobjects.PageLabel = label;
    const baseline = doc.page.height - y - (8 * FONT_ASCENT) / 1000;
    doc.addContent(
      `q 1 0 0 -1 0 ${doc.page.height} cm 1 0 0 1 ${MARGIN + width - PAGE_LABEL_WIDTH} ${baseline} cm /PageLabel Do Q`,
    );
    doc.page.margins.bottom = bottom;
    doc.x = x;
    doc.y = top;
    STYLES[style]();
  });

  doc.addPage();
  doc.font(bold).fontSize(18).fillColor('black').text(clean(title), { width });
  doc.font(regular).fontSize(11).fillColor(GREY).text(clean(head.schoolName), { width });
  doc.text(`${head.total} ${head.total === 1 ? unit.one : unit.many}`, { width });
  doc.fillColor('black').moveDown(1);

  return {
    stream: doc,
    add(entry) {
      const heading = `${when.format(entry.happenedAt)}  ·  ${entry.kind}: ${entry.title}`;
      // Keep a heading with at least the first lines of its text.
      if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
      use('heading');
      doc.text(clean(heading), { width });
      const meta = [
        entry.categories.length > 0 ? entry.categories.join(', ') : null,
        `by ${entry.author}`,
      ]
        .filter((part) => part !== null)
        .join('  ·  ');
      use('meta');
      doc.text(clean(meta), { width });
      use('text');
      doc.text(clean(entry.text), { width, paragraphGap: 2 });
      doc.moveDown(0.8);
    },
    finish() {
      const font = footerFont;
      if (font) {
        const resources = { Font: { [font.id]: font.ref() } };
        doc.font(regular).fontSize(8);
        labels.forEach((label, i) => {
          const text = `Page ${i + 1} of ${labels.length}`;
          const [glyphs] = font.encode(text);
          const x = PAGE_LABEL_WIDTH - doc.widthOfString(text);
          (label.data as Record<string, unknown>).Resources = resources;
          label.end(`${GREY_RGB} rg BT /${font.id} 8 Tf ${x} 0 Td <${glyphs.join('')}> Tj ET`);
        });
      }
      doc.end();
    },
  };
}

/** Helvetica's ascender (per 1000 units of the font size): where pdfkit puts a line's baseline. */
const FONT_ASCENT = 718;
/** Room on the right of the footer for "Page n of m". */
const PAGE_LABEL_WIDTH = 80;

/** Renders a whole chronology into memory, oldest entry first (a stable sort by happenedAt). */
export function renderChronologyPdf(input: ChronologyPdfInput): Promise<Buffer> {
  const pdf = openChronologyPdf({ ...input, total: input.total ?? input.entries.length });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.stream.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.stream.on('error', reject);
  });
  const entries = input.entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) => a.entry.happenedAt.getTime() - b.entry.happenedAt.getTime() || a.index - b.index,
    );
  for (const { entry } of entries) pdf.add(entry);
  pdf.finish();
  return done;
}
