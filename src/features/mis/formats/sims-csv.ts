// Reads a SIMS report saved as a file: `pupils.csv` and optionally `contacts.csv`, headings as
// documented in docs/MIS.md and matched through sims-headings.ts (any order and case, SIMS's own
// names and common synonyms, the school's additions). Encodings: sims-headings.ts decodeCsv.
import { parse } from 'csv-parse/sync';
import type {
  Contact,
  Deletion,
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
import {
  CONTACT_REQUIRED,
  CONTACT_SYNONYMS,
  PUPIL_REQUIRED,
  PUPIL_SYNONYMS,
  ENCODING_NAMES,
  decodeCsv,
  delimiterOf,
  mapHeadings,
  simsYear,
  type CsvEncoding,
  type SchoolSynonyms,
} from './sims-headings.ts';

export { decodeCsv };

export interface CsvOptions {
  /** The school's own headings → Lantern column (the MIS page's mapping). */
  synonyms?: { pupils?: SchoolSynonyms; contacts?: SchoolSynonyms } | undefined;
  /** Today, `YYYY-MM-DD`: a pupil whose Leaving Date is before it has left. Defaults to now. */
  today?: string | undefined;
}

async function readCsv(
  folder: FeedFolder,
  file: string,
  synonyms: Record<string, readonly string[]>,
  required: readonly string[],
  school: SchoolSynonyms | undefined,
): Promise<{
  rows: { ctx: RecordCtx; row: Record<string, string> }[];
  encoding: CsvEncoding;
} | null> {
  const bytes = await readWhole(folder, file);
  if (!bytes) return null;
  const { text, encoding } = decodeCsv(file, bytes);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    });
  } catch (err) {
    fail(
      { file, index: null, id: null },
      null,
      `is not valid CSV: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const columns = mapHeadings(file, records[0] ?? [], synonyms, required, school);
  const rows = records.slice(1).flatMap((cells, index) => {
    // Excel and SIMS end some reports with blank separator-only rows; they hold no record.
    if (cells.every((c) => c.trim() === '')) return [];
    const row: Record<string, string> = {};
    for (const [col, i] of columns) row[col] = cells[i] ?? '';
    return [{ ctx: { file, index, id: null }, row }];
  });
  return { rows, encoding };
}

const FLAGS: [string, VulnerabilityFlag['kind']][] = [
  ['child protection plan', 'child_protection_plan'],
  ['child in need', 'child_in_need'],
  ['looked after', 'looked_after'],
  ['previously looked after', 'previously_looked_after'],
  ['young carer', 'young_carer'],
  ['fsm', 'fsm'],
  ['pupil premium', 'pupil_premium'],
  ['eal', 'eal'],
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
  p.yearGroup = simsYear(t('year', LIMITS.code));
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
  // A flag column the report carries states its kind even where the cell is blank (SIMS leaves
  // "no" blank): the pupil no longer has that flag. A column the report lacks says nothing.
  for (const [col, kind] of FLAGS) {
    if (!(col in r)) continue;
    p.statedFlags = [...(p.statedFlags ?? []), kind];
    if (optBool(ctx, col, r[col]) !== true) continue;
    const startDate = optDate(ctx, `${col} start date`, r[`${col} start date`]);
    const endDate = optDate(ctx, `${col} end date`, r[`${col} end date`]);
    if (startDate !== null && endDate !== null && endDate < startDate)
      fail(ctx, `${col} end date`, `is before its ${col} start date`);
    p.flags.push({ kind, startDate, endDate });
  }
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

/**
 * A SIMS report is always the whole roll, so the snapshot is `full`. It carries no marks. A pupil
 * whose Leaving Date has passed is a leaver (archived with that date), not a pupil on roll.
 */
export async function readSimsCsv(from: FolderLike, options: CsvOptions = {}): Promise<Snapshot> {
  const folder = feedFolder(from);
  const pupilRows = await readCsv(
    folder,
    'pupils.csv',
    PUPIL_SYNONYMS,
    PUPIL_REQUIRED,
    options.synonyms?.pupils,
  );
  if (pupilRows === null)
    fail({ file: 'pupils.csv', index: null, id: null }, null, 'is missing from the folder');
  const encodings = [`pupils.csv ${ENCODING_NAMES[pupilRows.encoding]}`];
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const read = pupilRows.rows.map(({ ctx, row }) => ({ row, pupil: readPupil(ctx, row) }));
  assertUniqueIds(
    'pupils.csv',
    read.map((r) => r.pupil.misId),
    'MIS ID',
  );
  assertUniqueUpns(
    'pupils.csv',
    read.map((r) => r.pupil),
    'UPN',
  );
  const deletions: Deletion[] = [];
  const onRoll = read.filter(({ pupil }) => {
    const left = pupil.leavingDate !== null && pupil.leavingDate < today;
    if (left)
      deletions.push({
        entity: 'pupil',
        misId: pupil.misId,
        reason: 'left',
        date: pupil.leavingDate,
      });
    return !left;
  });
  const pupils = onRoll.map((r) => r.pupil);

  const groups = new Map<string, Group>();
  const memberships: Membership[] = [];
  onRoll.forEach(({ row, pupil: p }) => {
    for (const [col, kind, prefix] of [
      ['year', 'year', 'YEAR:'],
      ['reg group', 'registration', 'REG:'],
    ] as const) {
      const raw = (row[col] ?? '').trim();
      const name = kind === 'year' ? (simsYear(raw) ?? '') : raw;
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
  const contactRows = await readCsv(
    folder,
    'contacts.csv',
    CONTACT_SYNONYMS,
    CONTACT_REQUIRED,
    options.synonyms?.contacts,
  );
  // A link to a pupil left out above (their Leaving Date has passed) is dropped, not refused: the
  // school's report lists the contacts of everyone it ever held. A contact left with no link goes.
  const leavers = new Set(deletions.map((d) => d.misId));
  if (contactRows) encodings.push(`contacts.csv ${ENCODING_NAMES[contactRows.encoding]}`);
  for (const { ctx, row } of contactRows?.rows ?? []) {
    const c = readContact(ctx, row);
    c.pupils = c.pupils.filter((l) => !leavers.has(l.pupilMisId));
    if (c.pupils.length === 0) continue;
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
    deletions,
    restorations: [],
    nextCursor: null,
    // Named on the run ("read as Windows-1252"): one name when every file was read the same way.
    encoding: sameEncoding(pupilRows.encoding, contactRows?.encoding) ?? encodings.join(', '),
    attendanceMarks: async function* () {},
  };
}

function sameEncoding(a: CsvEncoding, b: CsvEncoding | undefined): string | null {
  return b === undefined || a === b ? ENCODING_NAMES[a] : null;
}
