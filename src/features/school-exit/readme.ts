// The README.txt at the top of a school's export (issue 15): what is where, how to check it, and
// the confirmation code — written here only, inside the encrypted archive, so typing it back
// shows the school opened the archive.

export type ReadmeFacts = {
  schoolName: string;
  schoolId: string;
  exportedAt: Date;
  operator: string;
  code: string;
  rows: Record<string, number>;
  pupils: number;
  unopened: number;
};

export function readmeText(f: ReadmeFacts): string {
  const tables = Object.entries(f.rows)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `  tables/${t}.json`.padEnd(52) + `${n} row${n === 1 ? '' : 's'}`);
  return [
    `${f.schoolName}: your school's data from Lantern`,
    '='.repeat(60),
    '',
    `Exported ${f.exportedAt.toISOString()} by ${f.operator} (school id ${f.schoolId}).`,
    '',
    'CONFIRMATION CODE',
    `  ${f.code}`,
    '  Give this code to the Lantern operator to confirm you have opened this archive and can',
    "  read your data. Only then will your school's data be deleted from Lantern (within 30",
    '  days). The code is nowhere else: keep this archive safe.',
    '',
    'WHAT IS WHERE',
    '  README.txt          this file',
    '  manifest.json       every other file with its size and SHA-256, to check nothing is',
    '                      missing or changed (on Windows: certutil -hashfile FILE SHA256;',
    '                      on Linux or macOS: sha256sum FILE)',
    '  tables/NAME.json    one file per kind of record, every row of your school: concerns and',
    '                      their versions, actions, referrals, cases, conversations, pupils and',
    '                      contacts from your MIS, staff and groups, settings, retention holds',
    '                      and certificates, the data-protection registers, and audit_events',
    '                      (the audit trail: who did what, when, each entry hashed into a chain).',
    '                      Encrypted fields are opened: the text is as staff wrote it.',
    '  files/attachments/  files attached to concerns, named by their id in',
    "                      tables/attachments.json (which holds each file's original name)",
    '  files/...           other documents (medical plans, subject-access packs), named the same way',
    `  chronologies/       a PDF chronology for each pupil (${f.pupils} pupils)`,
    '',
    'ROWS',
    ...tables,
    '',
    ...(f.unopened > 0
      ? [
          `NOTE: ${f.unopened} encrypted value(s) could not be opened and are included still`,
          '  encrypted (as sealed_base64). Ask the Lantern operator about them.',
          '',
        ]
      : []),
    'This archive holds special-category personal data about children. Keep it on encrypted',
    "storage your school controls, and follow your school's retention policy.",
    '',
  ].join('\r\n');
}
