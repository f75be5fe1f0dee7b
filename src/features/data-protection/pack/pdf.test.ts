// The data-protection pack's PDF is an accessible, tagged PDF (issue 17): read back by a real PDF
// parser, it is marked as tagged, has its language and title (shown by the reader), and its
// structure tree holds the title as H1, each section's heading as H2 and its rows as a Table whose
// column headings and row labels are TH and values TD; the marking and page numbers on every page
// are furniture, outside the tree. A section longer than a page carries on, still one table.
import { describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
import { pdfStructure } from '../../../test/pdf-structure.ts';
import type { DataProtectionPack } from '../../../shared/schemas/dp-rights.ts';
import { renderPackPdf } from './pdf.ts';

const pack: DataProtectionPack = {
  school: 'Ashgrove Primary',
  generatedAt: '2026-12-07T10:00:00.000Z',
  sections: [
    {
      id: 'about',
      heading: 'About this pack',
      rows: [
        { label: 'School', value: 'Ashgrove Primary' },
        { label: 'URN', value: '100001' },
      ],
    },
    {
      id: 'access',
      heading: 'Categories and who may see each',
      // Enough rows to run over a page.
      rows: Array.from({ length: 70 }, (_, i) => ({
        label: `Category ${i + 1}`,
        value: `seen by: DSL team (whole school, 3 members); Pastoral ${i + 1} (their own year groups, 2 members)`,
      })),
    },
    {
      id: 'retention',
      heading: 'Retention schedule',
      rows: [{ label: 'child protection', value: '25 years from date of birth, then review' }],
    },
  ],
};

describe('the data-protection pack PDF', () => {
  it('is tagged: language, title, headings, and each section a table of labelled rows', async () => {
    const pdf = await renderPackPdf(pack, { exportedBy: 'Dana DPO', marking: 'OFFICIAL' });
    const s = await pdfStructure(pdf);
    expect(s.marked).toBe(true);
    expect(s.lang).toBe('en-GB');
    expect(s.title).toBe('Data-protection pack');
    expect(s.displayTitle).toBe(true);
    expect(s.pages).toBeGreaterThan(1);

    expect(s.texts('H1').map((h) => h.text)).toEqual(['Data-protection pack']);
    expect(s.texts('H2').map((h) => h.text)).toEqual([
      'About this pack',
      'Categories and who may see each',
      'Retention schedule',
    ]);
    // A table a section (the long one listed again on each page it crosses), a row each.
    expect(s.roles.filter((r) => r === 'Table').length).toBeGreaterThanOrEqual(3);
    expect(s.roles.filter((r) => r === 'TR').length).toBe(2 + 1 + (70 + 1) + (1 + 1));
    const headings = s.texts('TH').map((h) => h.text);
    // Column headings named for what the section lists, then each row's label heading its row.
    expect(headings.slice(0, 4)).toEqual(['Item', 'Detail', 'School', 'URN']);
    expect(headings).toContain('Category or group');
    expect(headings).toContain('Category 70');
    expect(headings).toContain('Kind of record');
    const values = s.texts('TD').map((d) => d.text);
    expect(values[0]).toBe('Ashgrove Primary');
    expect(values).toContain('25 years from date of birth, then review');
    expect(values).toHaveLength(2 + 70 + 1);

    // The marking and page numbers are on every page, but as furniture outside the tree.
    const { text } = await extractText(new Uint8Array(pdf), { mergePages: false });
    for (const [i, page] of text.entries()) {
      expect(page).toContain('OFFICIAL');
      expect(page).toContain(`Page ${i + 1} of ${text.length}`);
    }
    const tagged = s
      .texts('H1', 'H2', 'P', 'TH', 'TD')
      .map((x) => x.text)
      .join('\n');
    expect(tagged).not.toContain('OFFICIAL');
    expect(tagged).not.toMatch(/Page \d+ of/);
  });
});
