// The response pack's PDF (issue 17): a cover letter with what Article 15 requires, an index, a
// legend of the reason codes, then the narrative in date order. It lays out only what it is
// given — the entries already have their redacted spans REMOVED (a marker stands in their place),
// so no redacted word is in the file at all, not merely covered. Every string drawn is also
// returned as `printed`, so the caller checks the words on the page before serving them.
// Reproducible: the same input gives the same bytes (pdfkit's dates and file id come from
// `madeAt`), which is what lets a pack's SHA-256 be checked again when it is downloaded later.
import PDFDocument from 'pdfkit';
import { toWinAnsi } from '../../chronology/pdf.ts';
import {
  NOT_GATHERED,
  REDACTION_REASON_MEANINGS,
  REDACTION_REASONS,
  redactionMarker,
} from '../../../shared/schemas/subject-access.ts';
import type { ResponseEntry } from './state.ts';

export type CoverLetter = {
  /** What was asked for: "subject access", "educational record" or "data portability". */
  asked: string;
  schoolName: string;
  requester: string;
  receivedOn: string;
  subjects: string[];
  madeAt: Date;
  /** The kinds of record in the response (its categories), and the agencies referred to. */
  categories: string[];
  recipients: string[];
  marking: string;
};

const MARGIN = 56;
const day = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(d);

/** The letter's paragraphs, as [heading, text] pairs: what Article 15(1)–(2) requires. */
export function letterParagraphs(c: CoverLetter): [string | null, string][] {
  return [
    [null, `${c.schoolName}\n${day(c.madeAt)}`],
    [null, `Dear ${c.requester},`],
    [
      null,
      `Thank you for your ${c.asked} request, received on ${day(new Date(`${c.receivedOn}T12:00:00Z`))}, for the personal data we hold about ${c.subjects.join(' and ')}. We confirm that we hold personal data about them. Enclosed are an index, a legend of the codes used where information has been withheld, and the records in date order. The records include, where we hold any, the pupil's flags, special educational needs, attendance (a summary for each term), medical and care information, files received from a previous school, contact restrictions, consent and admission answers, trips, and the log of who opened or changed the records. Not enclosed, and provided separately on request where we hold any: ${NOT_GATHERED.join('; ')}.`,
    ],
    [
      'Why we hold it (purposes and lawful basis)',
      'To safeguard and promote the welfare of children, as schools must under the Education Act 2002 (section 175 or 157), the Children Acts 1989 and 2004 and Keeping Children Safe in Education; and to run the school. Our lawful bases are public task and legal obligation (UK GDPR Article 6(1)(c) and (e)); special-category data is processed for reasons of substantial public interest (safeguarding of children, DPA 2018 Schedule 1 paragraph 18).',
    ],
    ['What kinds of data (categories)', `${c.categories.join('; ')}.`],
    [
      'Who it is shared with (recipients)',
      `Where needed to keep a child safe: the local authority's children's social care, the police, health services, and the child's next school (the child-protection file moves with the child). The MIS data is shared with the Department for Education through the school census.${c.recipients.length > 0 ? ` In these records, referrals were made to: ${c.recipients.join(', ')}.` : ''}`,
    ],
    [
      'How long we keep it (retention)',
      "A child-protection file is kept until the child's 25th birthday (or moved to their next school, which keeps it); other pupil records for the periods in the school's retention schedule, after which they are destroyed and a certificate of destruction is kept.",
    ],
    [
      'Your rights',
      'You may ask us to correct inaccurate data (rectification), to erase it, to restrict its use, or object to its use; and, for data you gave us, to receive it in a portable form (a JSON copy accompanies this letter). Some of these rights are limited where we hold data to protect a child.',
    ],
    [
      'Your right to complain',
      'If you are unhappy with how we have handled your request, please tell us first. You may also complain to the Information Commissioner’s Office: Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF; telephone 0303 123 1113; ico.org.uk/make-a-complaint.',
    ],
    [
      'Where the data came from (source)',
      "From the school's staff, from the pupil and their family, from other agencies (social care, police, health) and other schools, and from the school's management information system (MIS). No decisions about the pupil are made by automated means.",
    ],
    [
      'What has been withheld',
      'Some information has been removed, for example because it is about another person. Each place where text was removed is marked with a code, explained in the legend. Attachments are listed; copies of the files themselves can be provided on request.',
    ],
    [null, `Yours sincerely,\nData Protection Officer, ${c.schoolName}`],
  ];
}

export type PackPdf = { pdf: Buffer; printed: string };

/** The columns' widths: the first (when) and last (record) narrow, the rest sharing what is left. */
function tableWidths(n: number, width: number): number[] {
  if (n < 3) return Array.from({ length: n }, () => width / n);
  const narrow = width * 0.17;
  const rest = (width - 2 * narrow) / (n - 2);
  return [narrow, ...Array.from({ length: n - 2 }, () => rest), narrow];
}

type Font = 'Helvetica' | 'Helvetica-Bold';
type Role = 'H1' | 'H2' | 'H3' | 'P';

/**
 * The response as a tagged PDF (a structure tree screen readers follow: the title H1, the letter's
 * headings and the index, legend and records H2, each record a section with an H3, its paragraphs
 * and, for the audit log, a Table of TR, TH and TD; the language en-GB; the title shown in the
 * reader's window), the marking and page numbers marked as page furniture (artifacts).
 */
export function renderPackPdf(c: CoverLetter, entries: readonly ResponseEntry[]): Promise<PackPdf> {
  const printed: string[] = [];
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN },
    bufferPages: true,
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    pdfVersion: '1.7',
    info: {
      Title: `Response to a ${c.asked} request`,
      Author: toWinAnsi(c.schoolName),
      Producer: 'Lantern',
      Creator: 'Lantern',
      CreationDate: c.madeAt,
      ModDate: c.madeAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;
  const write = (
    text: string,
    font: Font,
    size: number,
    gap: number,
    role: Role,
    parent: PDFKit.PDFStructureElement = root,
  ) => {
    printed.push(text);
    doc
      .font(font)
      .fontSize(size)
      .fillColor('black')
      .text(toWinAnsi(text), { width, paragraphGap: gap, structParent: parent, structType: role });
  };
  // A table (the audit log), tagged: its headings (TH, scope Column), then a row each (TD).
  const table = (tb: NonNullable<ResponseEntry['table']>, parent: PDFKit.PDFStructureElement) => {
    const widths = tableWidths(tb.columns.length, width);
    doc.font('Helvetica').fontSize(8.5).fillColor('black');
    const options: PDFKit.Mixins.TableOptions & { structParent: PDFKit.PDFStructureElement } = {
      structParent: parent,
      position: { x: MARGIN },
      maxWidth: width,
      columnStyles: widths,
      defaultStyle: { border: 0, padding: [1, 4, 1, 0] },
    };
    const t = doc.table(options);
    const cell = (text: string, heading: boolean): PDFKit.Mixins.CellOptions => {
      printed.push(text);
      return {
        text: toWinAnsi(text),
        type: heading ? 'TH' : 'TD',
        ...(heading ? { font: { src: 'Helvetica-Bold' }, scope: 'Column' } : {}),
      };
    };
    t.row(tb.columns.map((h) => cell(h, true)));
    if (tb.rows.length === 0)
      t.row([{ ...cell('(no entries)', false), colSpan: tb.columns.length }]);
    for (const r of tb.rows) t.row(tb.columns.map((_, i) => cell(r[i] ?? '', false)));
    t.end();
    doc.x = MARGIN;
    doc.moveDown(0.8);
  };
  write(`Response to your ${c.asked} request`, 'Helvetica-Bold', 16, 10, 'H1');
  for (const [heading, text] of letterParagraphs(c)) {
    if (heading) write(heading, 'Helvetica-Bold', 11, 2, 'H2');
    write(text, 'Helvetica', 10, 8, 'P');
  }
  doc.addPage();
  write('Index', 'Helvetica-Bold', 14, 8, 'H2');
  entries.forEach((e, i) =>
    write(`${i + 1}. ${day(new Date(e.happenedAt))}: ${e.title}`, 'Helvetica', 10, 1, 'P'),
  );
  doc.moveDown(1);
  write('Legend: why text was removed', 'Helvetica-Bold', 14, 8, 'H2');
  for (const r of REDACTION_REASONS)
    write(`${redactionMarker(r)}: ${REDACTION_REASON_MEANINGS[r]}`, 'Helvetica', 10, 4, 'P');
  doc.addPage();
  write('The records, in date order', 'Helvetica-Bold', 14, 8, 'H2');
  entries.forEach((e, i) => {
    if (doc.y + 60 > doc.page.height - MARGIN) doc.addPage();
    const section = doc.struct('Sect');
    root.add(section);
    write(
      `${i + 1}. ${day(new Date(e.happenedAt))}: ${e.title}`,
      'Helvetica-Bold',
      11,
      1,
      'H3',
      section,
    );
    if (e.author) write(`Recorded by ${e.author}`, 'Helvetica', 9, 2, 'P', section);
    if (e.table) table(e.table, section);
    else write(e.text || '(no text)', 'Helvetica', 10, 10, 'P', section);
    section.end();
  });
  // The marking and "Page n of m" on every page, once the pages are known: page furniture.
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' });
    doc.font('Helvetica-Bold').fontSize(8).fillColor('black');
    doc.text(toWinAnsi(c.marking), MARGIN, 24, { width, align: 'center', lineBreak: false });
    doc.font('Helvetica').fontSize(8);
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - 36, {
      width,
      align: 'right',
      lineBreak: false,
    });
    doc.endMarkedContent();
    doc.page.margins.bottom = bottom;
  }
  root.end();
  doc.end();
  return done.then((pdf) => ({ pdf, printed: printed.join('\n') }));
}
