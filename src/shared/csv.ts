// Writing CSV that a spreadsheet opens safely. A cell that starts with =, +, -, @, a tab or a
// carriage return is taken by Excel, LibreOffice and Google Sheets as a formula ("CSV injection":
// a pupil's name typed as =HYPERLINK(…) could send the sheet's data elsewhere when opened), so
// such a cell is prefixed with an apostrophe, which the spreadsheet shows as text (OWASP's advice).
// Every cell is then quoted when it holds a comma, a quote or a line break (RFC 4180). Lantern
// writes no CSV yet (it only reads MIS feeds): every export that comes must build its cells here.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised against formulas, then quoted as RFC 4180 needs. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line of cells, ended with CRLF as RFC 4180 says. */
export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
