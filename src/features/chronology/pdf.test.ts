import { describe, it, expect } from 'vitest';
import { extractText } from 'unpdf';
import { openChronologyPdf, renderChronologyPdf, type ChronologyPdfEntry } from './pdf.ts';

function entries(count: number): ChronologyPdfEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    happenedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
    kind: i % 3 === 0 ? 'Concern' : 'Action',
    title: `Entry number ${i + 1}`,
    categories: ['Bullying', 'Online safety'],
    text: `Entry ${i + 1} text. ` + 'The child said they felt unsafe walking home. '.repeat(6),
    author: 'Ms Teacher',
  }));
}

async function pages(pdf: Buffer): Promise<string[]> {
  const { text } = await extractText(new Uint8Array(pdf));
  return text;
}

describe('renderChronologyPdf', () => {
  it('marks every page, says who the pupil is, draws and describes a body map, and is tagged', async () => {
    const [entry] = entries(1);
    const pdf = await renderChronologyPdf({
      schoolName: 'Oakfield Primary School',
      pupilName: 'Amelia Hart',
      pupil: { dateOfBirth: '2010-05-14', upn: 'A123456789012', yearGroup: 'Year 7', form: '7A' },
      exportedBy: 'Jo Bloggs (DSL)',
      exportedAt: new Date('2025-03-10T14:05:00Z'),
      entries: [
        ...entries(40),
        {
          ...entry!,
          title: 'The one with a body map',
          bodyMap: [
            { side: 'front', x: 0.3, y: 0.45, type: 'bruise', description: 'Blue bruise, 2 cm' },
            { side: 'back', x: 0.5, y: 0.3, type: 'cut', description: 'Graze, 4 cm' },
          ],
        },
      ],
    });
    const text = await pages(pdf);
    expect(text.length).toBeGreaterThan(1);
    for (const page of text) expect(page).toContain('OFFICIAL-SENSITIVE');
    expect(text[0]).toContain('Date of birth: 14 May 2010');
    expect(text[0]).toContain('UPN: A123456789012');
    expect(text[0]).toContain('Year 7, 7A');
    expect(text[0]).toContain('newest first');
    const all = text.join('\n');
    expect(all).toMatch(/1\. Bruise, .+ \(front\): Blue bruise, 2 cm/);
    expect(all).toMatch(/2\. Cut or graze, .+ \(back\): Graze, 4 cm/);
    // A structure tree for screen readers, the language, and the title shown.
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toMatch(/\/MarkInfo \d+ 0 R/);
    expect(raw).toMatch(/\/Marked true/);
    expect(raw).toContain('/DisplayDocTitle true');
    expect(raw).toMatch(/\/Lang \(en-GB\)/);
    expect(raw).toContain('/S /H2');
    expect(raw).toContain('/S /Figure');
  });

  it('prints the school’s own marking', async () => {
    const pdf = await renderChronologyPdf({
      schoolName: 'S',
      pupilName: 'P',
      marking: 'OFFICIAL-SENSITIVE PERSONAL',
      exportedBy: 'E',
      exportedAt: new Date('2025-01-01T00:00:00Z'),
      entries: entries(1),
    });
    expect((await pages(pdf))[0]).toContain('OFFICIAL-SENSITIVE PERSONAL');
  });

  it('writes a PDF whose text names the school, pupil and exporter on every page', async () => {
    const pdf = await renderChronologyPdf({
      schoolName: 'Oakfield Primary School',
      pupilName: 'Amelia Hart',
      exportedBy: 'Jo Bloggs (DSL)',
      exportedAt: new Date('2025-03-10T14:05:00Z'),
      entries: entries(60),
    });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pages(pdf);
    expect(text.length).toBeGreaterThan(1);
    expect(text[0]).toContain('Oakfield Primary School');
    expect(text[0]).toContain('Chronology: Amelia Hart');
    text.forEach((page, i) => {
      expect(page).toContain('Exported by Jo Bloggs (DSL) on 10 Mar 2025, 14:05');
      expect(page).toContain(`Page ${i + 1} of ${text.length}`);
    });
    const all = text.join('\n');
    expect(all).toContain('The child said they felt unsafe walking home.');
    expect(all).toContain('Entry number 60');
    expect(all).toContain('Bullying, Online safety');
  });

  it('puts entries newest first, as the screen does, whatever order they arrive in', async () => {
    const [first, second] = entries(2);
    if (!first || !second) throw new Error('fixture');
    const pdf = await renderChronologyPdf({
      schoolName: 'S',
      pupilName: 'P',
      exportedBy: 'E',
      exportedAt: new Date('2025-01-01T00:00:00Z'),
      entries: [first, second],
    });
    const all = (await pages(pdf)).join('\n');
    expect(all.indexOf('Entry number 2')).toBeLessThan(all.indexOf('Entry number 1'));
  });

  it('survives empty chronologies and characters Helvetica cannot draw', async () => {
    const pdf = await renderChronologyPdf({
      schoolName: 'Zespół Szkół',
      pupilName: 'Łukasz Nowak 李',
      exportedBy: 'Zoë',
      exportedAt: new Date('2025-06-01T09:00:00Z'),
      entries: [],
    });
    const [page] = await pages(pdf);
    expect(page).toContain('Zoë');
    expect(page).toContain('Page 1 of 1');
    expect(page).toContain('Zespól Szkól'); // ó is Latin-1 and kept; ł folds to l
    expect(page).toContain('Lukasz Nowak ?'); // no Helvetica glyph for 李: marked, not faked
  });

  it('streams pages as entries arrive, and a file never finished has no trailer', async () => {
    const pdf = openChronologyPdf({
      schoolName: 'S',
      pupilName: 'P',
      exportedBy: 'E',
      exportedAt: new Date('2025-01-01T00:00:00Z'),
      total: 400,
    });
    const chunks: Buffer[] = [];
    pdf.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    for (const entry of entries(200)) pdf.add(entry);
    await new Promise((resolve) => setImmediate(resolve));
    // Full pages have left already, before the last entry is known.
    const sent = Buffer.concat(chunks);
    expect(sent.length).toBeGreaterThan(20_000);
    // Cut off half way (as an export whose reading fails is): no cross-reference table, no
    // trailer, no end-of-file marker — a reader takes it for damaged, never for a whole file.
    pdf.stream.destroy();
    const text = sent.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    for (const mark of ['xref', 'trailer', '%%EOF']) expect(text).not.toContain(mark);
  });
});
