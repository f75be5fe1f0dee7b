// Reads a SIMS report exported as CSV: `pupils.csv` and optionally `contacts.csv`, headers as
// documented in docs/MIS.md. Files may be UTF-8 (with or without BOM) or Windows-1252, the
// encoding SIMS and Excel use by default; anything else is rejected rather than guessed.
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type {
  Contact,
  Group,
  Membership,
  Pupil,
  Snapshot,
  VulnerabilityFlag,
} from '../snapshot.ts';
import {
  blankPupil,
  defaultDisplayName,
  dfeAttendanceCodes,
  emptyAddress,
  isEmptyAddress,
  withDerivedFlags,
} from './common.ts';
import { feedFolder, readWhole, type FeedFolder, type FolderLike } from './feed-folder.ts';
import {
  LIMITS,
  assertUniqueIds,
  assertUniqueUpns,
  fail,
  optBool,
  optDate,
  optInt,
  optText,
  optUln,
  optUpn,
  reqId,
  reqText,
} from './validate.ts';
import type { RecordCtx } from './validate.ts';

/** Header (case and spacing ignored) → pupil field. `true` marks a column that must exist. */
export const PUPIL_COLUMNS = {
  'mis id': true,
  forename: true,
  surname: true,
  dob: true,
  upn: false,
  uln: false,
  adno: false,
  'middle name': false,
  'legal forename': false,
  'legal surname': false,
  'preferred name': false,
  gender: false,
  'admission date': false,
  'leaving date': false,
  year: false,
  'reg group': false,
  'sen status': false,
  fsm: false,
  'fsm end date': false,
  'pupil premium': false,
  eal: false,
  gifted: false,
  religion: false,
  ethnicity: false,
  'first language': false,
  'house no': false,
  street: false,
  district: false,
  town: false,
  county: false,
  postcode: false,
  'looked after': false,
  'child protection plan': false,
  'child in need': false,
  'young carer': false,
  'sibling ids': false,
} as const;

export const CONTACT_COLUMNS = {
  'contact id': true,
  'pupil mis id': true,
  forename: true,
  surname: true,
  title: false,
  relationship: false,
  priority: false,
  'parental responsibility': false,
  'court order': false,
  'home phone': false,
  'work phone': false,
  'mobile phone': false,
  email: false,
  'work email': false,
  'house no': false,
  street: false,
  town: false,
  county: false,
  postcode: false,
} as const;

const WIN1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** UTF-8 when the bytes are valid UTF-8; otherwise Windows-1252, unless they cannot be that either. */
export function decodeCsv(
  file: string,
  bytes: Buffer,
): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  const ctx = { file, index: null, id: null };
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    fail(ctx, null, 'is UTF-16; save it as UTF-8 or Windows-1252 CSV');
  }
  if (bytes.includes(0))
    fail(ctx, null, 'contains NUL bytes; it is not a text CSV in UTF-8 or Windows-1252');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const bad = bytes.findIndex((b) => WIN1252_UNDEFINED.has(b));
    if (bad >= 0)
      fail(ctx, null, `byte ${bad} is neither UTF-8 nor Windows-1252 (wrong encoding?)`);
    return { text: iconv.decode(bytes, 'win1252'), encoding: 'windows-1252' };
  }
}

const norm = (h: string): string => h.trim().toLowerCase().replace(/\s+/g, ' ');

async function readCsv(
  folder: FeedFolder,
  file: string,
  columns: Record<string, boolean>,
): Promise<{ ctx: RecordCtx; row: Record<string, string> }[] | null> {
  const bytes = await readWhole(folder, file);
  if (!bytes) return null;
  const { text } = decodeCsv(file, bytes);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: true });
  } catch (err) {
    fail(
      { file, index: null, id: null },
      null,
      `is not valid CSV: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const header = (records[0] ?? []).map(norm);
  for (const [col, required] of Object.entries(columns)) {
    if (required && !header.includes(col))
      fail({ file, index: null, id: null }, null, `is missing the required column "${col}"`);
  }
  return records.slice(1).map((cells, index) => {
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      if (h in columns) row[h] = cells[i] ?? '';
    });
    return { ctx: { file, index, id: null }, row };
  });
}

const FLAGS: [string, VulnerabilityFlag['kind']][] = [
  ['child protection plan', 'child_protection_plan'],
  ['child in need', 'child_in_need'],
  ['looked after', 'looked_after'],
  ['young carer', 'young_carer'],
];

function readPupil(ctx: RecordCtx, r: Record<string, string>): Pupil {
  const t = (k: string, max: number): string | null => optText(ctx, k, r[k], max);
  const p = blankPupil(
    reqId(ctx, 'MIS ID', r['mis id']),
    reqText(ctx, 'Forename', r['forename'], LIMITS.name),
    reqText(ctx, 'Surname', r['surname'], LIMITS.name),
  );
  p.dateOfBirth = optDate(ctx, 'DOB', r['dob']);
  if (p.dateOfBirth === null) fail(ctx, 'DOB', 'is missing');
  p.upn = optUpn(ctx, 'UPN', r['upn']);
  p.uln = optUln(ctx, 'ULN', r['uln']);
  p.admissionNumber = t('adno', LIMITS.code);
  p.middleNames = t('middle name', LIMITS.name);
  p.legalForename = t('legal forename', LIMITS.name);
  p.legalSurname = t('legal surname', LIMITS.name);
  p.displayName = t('preferred name', LIMITS.name);
  p.gender = t('gender', LIMITS.code);
  p.entryDate = optDate(ctx, 'Admission Date', r['admission date']);
  p.leavingDate = optDate(ctx, 'Leaving Date', r['leaving date']);
  p.yearGroup = t('year', LIMITS.code);
  p.senStatus = t('sen status', LIMITS.code);
  p.fsmEligible = optBool(ctx, 'FSM', r['fsm']);
  p.fsmEndDate = optDate(ctx, 'FSM End Date', r['fsm end date']);
  p.pupilPremium = optBool(ctx, 'Pupil Premium', r['pupil premium']);
  p.eal = optBool(ctx, 'EAL', r['eal']);
  p.gifted = optBool(ctx, 'Gifted', r['gifted']);
  p.religion = { code: null, description: t('religion', LIMITS.text) };
  p.ethnicity = { code: null, description: t('ethnicity', LIMITS.text) };
  p.firstLanguage = { code: null, description: t('first language', LIMITS.text) };
  const a = {
    ...emptyAddress(),
    houseNumber: t('house no', LIMITS.code),
    street: t('street', LIMITS.text),
    district: t('district', LIMITS.text),
    town: t('town', LIMITS.text),
    county: t('county', LIMITS.text),
    postcode: t('postcode', LIMITS.code),
  };
  p.address = isEmptyAddress(a) ? null : a;
  for (const [col, kind] of FLAGS)
    if (optBool(ctx, col, r[col]) === true) p.flags.push({ kind, startDate: null, endDate: null });
  p.siblingMisIds = (r['sibling ids'] ?? '')
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return defaultDisplayName(withDerivedFlags(p));
}

function readContact(ctx: RecordCtx, r: Record<string, string>): Contact {
  const t = (k: string, max: number): string | null => optText(ctx, k, r[k], max);
  const misId = reqId(ctx, 'Contact ID', r['contact id']);
  const phones: Contact['phones'] = [];
  for (const [k, kind] of [
    ['home phone', 'home'],
    ['work phone', 'work'],
    ['mobile phone', 'mobile'],
  ] as const) {
    const n = t(k, LIMITS.phone);
    if (n !== null) phones.push({ kind, number: n });
  }
  const emails: Contact['emails'] = [];
  for (const [k, kind] of [
    ['email', 'home'],
    ['work email', 'work'],
  ] as const) {
    const e = t(k, LIMITS.email);
    if (e !== null) emails.push({ kind, address: e });
  }
  const a = {
    ...emptyAddress(),
    houseNumber: t('house no', LIMITS.code),
    street: t('street', LIMITS.text),
    town: t('town', LIMITS.text),
    county: t('county', LIMITS.text),
    postcode: t('postcode', LIMITS.code),
  };
  return {
    misId,
    title: t('title', LIMITS.code),
    forename: reqText(ctx, 'Forename', r['forename'], LIMITS.name),
    surname: reqText(ctx, 'Surname', r['surname'], LIMITS.name),
    legalForename: null,
    legalSurname: null,
    addresses: isEmptyAddress(a) ? [] : [a],
    phones,
    emails,
    pupils: [
      {
        pupilMisId: reqText(ctx, 'Pupil MIS ID', r['pupil mis id'], LIMITS.id),
        relationship: t('relationship', LIMITS.name),
        priority: optInt(ctx, 'Priority', r['priority']),
        parentalResponsibility: optBool(
          ctx,
          'Parental Responsibility',
          r['parental responsibility'],
        ),
        livesWithPupil: null,
        courtOrder: optBool(ctx, 'Court Order', r['court order']),
      },
    ],
  };
}

/** A SIMS report is always the whole roll, so the snapshot is `full`. It carries no marks. */
export async function readSimsCsv(from: FolderLike): Promise<Snapshot> {
  const folder = feedFolder(from);
  const pupilRows = await readCsv(folder, 'pupils.csv', PUPIL_COLUMNS);
  if (pupilRows === null)
    fail({ file: 'pupils.csv', index: null, id: null }, null, 'is missing from the folder');
  const pupils = pupilRows.map(({ ctx, row }) => readPupil(ctx, row));
  assertUniqueIds(
    'pupils.csv',
    pupils.map((p) => p.misId),
    'MIS ID',
  );
  assertUniqueUpns('pupils.csv', pupils, 'UPN');

  const groups = new Map<string, Group>();
  const memberships: Membership[] = [];
  pupilRows.forEach(({ row }, i) => {
    const p = pupils[i];
    if (!p) return;
    for (const [col, kind, prefix] of [
      ['year', 'year', 'YEAR:'],
      ['reg group', 'registration', 'REG:'],
    ] as const) {
      const name = (row[col] ?? '').trim();
      if (name === '') continue;
      const misId = `${prefix}${name}`;
      if (!groups.has(misId))
        groups.set(misId, {
          misId,
          name: kind === 'year' ? `Year ${name}` : name,
          kind,
          sourceType: null,
        });
      memberships.push({ groupMisId: misId, memberKind: 'pupil', memberMisId: p.misId });
    }
  });

  const contacts = new Map<string, Contact>();
  for (const { ctx, row } of (await readCsv(folder, 'contacts.csv', CONTACT_COLUMNS)) ?? []) {
    const c = readContact(ctx, row);
    const existing = contacts.get(c.misId);
    if (existing) existing.pupils.push(...c.pupils);
    else contacts.set(c.misId, c);
  }
  return {
    format: 'csv',
    kind: 'full',
    pupils,
    contacts: [...contacts.values()],
    staff: [],
    groups: [...groups.values()],
    memberships,
    attendanceCodes: dfeAttendanceCodes(),
    deletions: [],
    nextCursor: null,
    attendanceMarks: async function* () {},
  };
}
