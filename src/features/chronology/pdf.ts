// A pupil's chronology as a real PDF: selectable text, the school and pupil (date of birth, UPN,
// year and form) on the first page, and on EVERY page the protective marking at the top and who
// exported it, when, and "Page n of m" at the foot, so a single printed page found on a desk still
// says whose record it is, how it must be handled and where it came from. Entries are newest
// first, as on the screen; a concern's body map is drawn with its numbered marks and their
// descriptions. Tagged for screen readers (a structure tree: a heading and paragraphs per entry,
// the page furniture marked as artifacts) with the document's language and title. The caller
// decides what the viewer may see and audits the export; this only lays out what it is given.
//
// Written as a stream (openChronologyPdf): entries are drawn as they arrive and each page leaves
// for the reader as soon as it is full, so memory does not grow with the entries' text (only a
// few bytes a page). The one thing not known until the end — how many pages there are — is in a
// small form XObject each footer draws, whose content ("Page n of m") is written last. A document
// whose `finish` is never called lacks its cross-reference table and trailer: a reader refuses it
// as damaged rather than showing a short file as if it were whole.

import PDFDocument from 'pdfkit';
import { BODY_OUTLINES, type BodyMapMark } from '../../shared/body-map.ts';
import { BODY_MAP_SIDE_LABELS, describeMark } from '../../shared/body-map-regions.ts';

/** The marking printed on every page unless the school sets its own. */
export const DEFAULT_PROTECTIVE_MARKING = 'OFFICIAL-SENSITIVE';

export interface ChronologyPdfEntry {
  happenedAt: Date;
  /** e.g. "Concern", "Action", "Referral", "Conversation", "Case", "MIS". */
  kind: string;
  title: string;
  categories: readonly string[];
  text: string;
  author: string;
  /** A concern's body map: drawn under its text, each mark numbered and described. */
  bodyMap?: readonly BodyMapMark[];
  /**
   * A table drawn under the text (tagged: Table, TR, TH and TD, the first row the column
   * headings); with `rowHeaders`, each row's first cell heads its row (a label and its value).
   */
  table?: PdfTable;
  /** A section of a document rather than a dated record: its title alone heads it, no byline. */
  undated?: boolean;
}

export interface PdfTable {
  columns: readonly string[];
  rows: readonly (readonly string[])[];
  rowHeaders?: boolean;
  /** Each column's share of the width (they sum to 1); equal shares when not given. */
  widths?: readonly number[];
}

/** What the PDF says about itself: whose chronology, from where, by whom, and how many entries. */
export interface ChronologyPdfHead {
  schoolName: string;
  pupilName: string;
  /** The document's title when it is not a pupil's chronology (a certificate of destruction). */
  title?: string;
  /** What the count on the first page counts ("entry" by default). */
  unit?: { one: string; many: string };
  /** Who the pupil is, beyond the name: shown on the first page. */
  pupil?: {
    dateOfBirth: string | null;
    upn: string | null;
    yearGroup: string | null;
    form: string | null;
  };
  /** The protective marking on every page (DEFAULT_PROTECTIVE_MARKING when not given). */
  marking?: string;
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
export function toWinAnsi(text: string): string {
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

/** pdfkit 0.20 tags a table given a structure parent, and a heading cell's scope; its typings lag. */
type TaggedTableOptions = PDFKit.Mixins.TableOptions & {
  structParent: PDFKit.PDFStructureElement;
};
type TaggedCell = PDFKit.Mixins.CellOptions & { scope?: 'Column' | 'Row' };

/** Starts a chronology PDF: the title block now, each entry as it is added, in the order given (the export reads them newest first). */
export function openChronologyPdf(head: ChronologyPdfHead): ChronologyPdfStream {
  const clean = head.fonts ? (s: string): string => s : toWinAnsi;
  const when = dateFormat(head.timeZone ?? 'Europe/London');
  const title = head.title ?? `Chronology: ${head.pupilName}`;
  const unit = head.unit ?? { one: 'entry', many: 'entries' };
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    autoFirstPage: false,
    // Tagged: a structure tree screen readers follow, the language, and the title shown.
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    pdfVersion: '1.7',
    info: {
      Title: clean(title),
      Author: clean(head.exportedBy),
      Producer: 'Lantern',
      Creator: 'Lantern',
    },
  });
  const inner = doc as unknown as Internals;
  const root = doc.struct('Document');
  doc.addStructure(root);
  const marking = clean((head.marking ?? DEFAULT_PROTECTIVE_MARKING).toUpperCase());
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
    // The marking at the top and the footer are page furniture, not the document's content.
    doc.markContent('Artifact', { type: 'Pagination' });
    doc.font(bold).fontSize(9).fillColor('black');
    doc.text(marking, MARGIN, MARGIN / 2 - 4, { width, align: 'center', lineBreak: false });
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
    doc.endMarkedContent();
    doc.page.margins.bottom = bottom;
    doc.x = x;
    doc.y = top;
    STYLES[style]();
  });

  doc.addPage();
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  doc
    .font(bold)
    .fontSize(18)
    .fillColor('black')
    .text(clean(title), { width, structParent: root, structType: 'H1' });
  const p = head.pupil;
  const who = p
    ? [
        p.dateOfBirth
          ? `Date of birth: ${day.format(new Date(`${p.dateOfBirth}T00:00:00Z`))}`
          : null,
        p.upn ? `UPN: ${p.upn}` : null,
        [p.yearGroup, p.form].filter(Boolean).join(', ') || null,
      ].filter((x): x is string => x !== null)
    : [];
  doc.font(regular).fontSize(11).fillColor(GREY);
  const intro = [
    ...(who.length > 0 ? [who.join('  ·  ')] : []),
    head.schoolName,
    `${head.total} ${head.total === 1 ? unit.one : unit.many}${head.title ? '' : ', newest first'}`,
  ];
  for (const line of intro) doc.text(clean(line), { width, structParent: root, structType: 'P' });
  doc.fillColor('black').moveDown(1);

  /** Two small outlines (front, back) with the marks numbered, then the numbered descriptions. */
  const drawBodyMap = (marks: readonly BodyMapMark[], parent: PDFKit.PDFStructureElement) => {
    const figureH = 120;
    const figureW = figureH / 2;
    if (doc.y + figureH + 30 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y + 12;
    const alt = `Body map with ${marks.length} ${marks.length === 1 ? 'mark' : 'marks'}, described below.`;
    const figure = doc.struct('Figure', { alt }, () => {
      (['front', 'back'] as const).forEach((side, i) => {
        const left = MARGIN + i * (figureW + 40);
        doc.font(regular).fontSize(8).fillColor(GREY);
        doc.text(BODY_MAP_SIDE_LABELS[side], left, top - 11, { width: figureW, align: 'center' });
        doc.lineWidth(0.7).strokeColor(GREY);
        for (const polygon of BODY_OUTLINES[side]) {
          polygon.forEach(([x, y], j) => {
            const px = left + x * figureW;
            const py = top + y * figureH;
            if (j === 0) doc.moveTo(px, py);
            else doc.lineTo(px, py);
          });
          doc.closePath().stroke();
        }
        marks.forEach((m, n) => {
          if (m.side !== side) return;
          const cx = left + m.x * figureW;
          const cy = top + m.y * figureH;
          doc.circle(cx, cy, 5).fillColor('#b00020').fill();
          doc
            .font(bold)
            .fontSize(6)
            .fillColor('white')
            .text(String(n + 1), cx - 5, cy - 2.5, {
              width: 10,
              align: 'center',
              lineBreak: false,
            });
        });
      });
    });
    parent.add(figure);
    figure.end();
    doc.x = MARGIN;
    doc.y = top + figureH + 6;
    use('text');
    marks.forEach((m, n) => {
      doc.text(clean(`${n + 1}. ${describeMark(m)}: ${m.description}`), {
        width,
        structParent: parent,
        structType: 'P',
      });
    });
  };

  /**
   * A table in the section, tagged as one (pdfkit's table with a structure parent: Table, TR,
   * TH with its scope, TD), the column headings its first row; a row that does not fit moves to
   * the next page whole, where the furniture is drawn as on any page.
   */
  const drawTable = (t: PdfTable, parent: PDFKit.PDFStructureElement) => {
    const shares = t.widths ?? t.columns.map(() => 1 / t.columns.length);
    const heading = (text: string, scope: 'Column' | 'Row'): TaggedCell => ({
      text: clean(text),
      type: 'TH',
      scope,
      font: { src: bold },
    });
    use('text');
    doc.fontSize(9.5);
    const options: TaggedTableOptions = {
      structParent: parent,
      position: { x: MARGIN },
      maxWidth: width,
      columnStyles: shares.map((share) => share * width),
      defaultStyle: { border: 0.5, borderColor: '#999999', padding: 4 },
    };
    const table = doc.table(options as PDFKit.Mixins.TableOptions);
    table.row(t.columns.map((c) => heading(c, 'Column')));
    for (const r of t.rows)
      table.row(
        r.map((cell, i) =>
          i === 0 && t.rowHeaders ? heading(cell, 'Row') : { text: clean(cell), type: 'TD' },
        ),
      );
    table.end();
    doc.x = MARGIN;
    use('text');
  };

  return {
    stream: doc,
    add(entry) {
      const heading = entry.undated
        ? entry.title
        : `${when.format(entry.happenedAt)}  ·  ${entry.kind}: ${entry.title}`;
      // Keep a heading with at least the first lines of its text.
      if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
      const section = doc.struct('Sect');
      root.add(section);
      use('heading');
      doc.text(clean(heading), { width, structParent: section, structType: 'H2' });
      const meta = [
        entry.categories.length > 0 ? entry.categories.join(', ') : null,
        `by ${entry.author}`,
      ]
        .filter((part) => part !== null)
        .join('  ·  ');
      if (!entry.undated) {
        use('meta');
        doc.text(clean(meta), { width, structParent: section, structType: 'P' });
      }
      use('text');
      if (entry.text !== '' || !entry.table)
        doc.text(clean(entry.text), {
          width,
          paragraphGap: 2,
          structParent: section,
          structType: 'P',
        });
      if (entry.table) {
        doc.moveDown(0.3);
        drawTable(entry.table, section);
      }
      if (entry.bodyMap && entry.bodyMap.length > 0) drawBodyMap(entry.bodyMap, section);
      section.end();
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
      root.end();
      doc.end();
    },
  };
}

/** Helvetica's ascender (per 1000 units of the font size): where pdfkit puts a line's baseline. */
const FONT_ASCENT = 718;
/** Room on the right of the footer for "Page n of m". */
const PAGE_LABEL_WIDTH = 80;

/** Renders a whole chronology into memory, newest entry first (a stable sort by happenedAt). */
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
      (a, b) => b.entry.happenedAt.getTime() - a.entry.happenedAt.getTime() || a.index - b.index,
    );
  for (const { entry } of entries) pdf.add(entry);
  pdf.finish();
  return done;
}
