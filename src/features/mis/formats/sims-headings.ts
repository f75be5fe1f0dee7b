// How a SIMS report saved as a file is turned into rows: the bytes' encoding (UTF-8 with or
// without a byte-order mark, UTF-16 with one — Excel's "Unicode Text", tab-separated — or
// Windows-1252, the default of SIMS and of Excel's "CSV"), the separator, and the headings, which
// a school names as its report was designed: "Person ID" or "MIS ID", "Reg Group" or "Form".
// Each Lantern column has a list of synonyms (SIMS's own field names first); an administrator may
// add the school's own on the MIS page (`mis_settings.csv_synonyms`). A file whose headings match
// none of a required column's names is refused with the headings found and the names expected.
import { MisFormatError } from '../snapshot.ts';
import { fail } from './validate.ts';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The encoding's name as a person reads it ("read as Windows-1252"). */
export const ENCODING_NAMES: Record<CsvEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'windows-1252': 'Windows-1252',
};

/**
 * Where a file that is UTF-8 (it holds at least one well-formed multi-byte sequence) has a byte
 * that is not: its offset, or -1. Windows-1252 text almost never forms such a sequence, so a file
 * that does is damaged UTF-8, and decoding it as Windows-1252 would turn its names into mojibake.
 */
function brokenUtf8At(bytes: Buffer): number {
  let valid = false;
  let firstBad = -1;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (!ok) {
      if (firstBad < 0) firstBad = i;
      i += 1;
      continue;
    }
    if (need > 0) valid = true;
    i += need + 1;
  }
  return valid ? firstBad : -1;
}

const WIN1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * The file's text and the encoding it was read as. UTF-16 needs its byte-order mark (Excel always
 * writes one); without it, or with bytes Windows-1252 does not define, the file is refused with
 * the encoding named, never read as mojibake.
 */
export function decodeCsv(file: string, bytes: Buffer): { text: string; encoding: CsvEncoding } {
  const ctx = { file, index: null, id: null };
  const utf16 = (enc: 'utf-16le' | 'utf-16be'): { text: string; encoding: CsvEncoding } => {
    try {
      const text = new TextDecoder(enc, { fatal: true }).decode(bytes.subarray(2));
      return { text, encoding: enc };
    } catch {
      return fail(ctx, null, `starts as UTF-16 (${enc.toUpperCase()}) but is not valid UTF-16`);
    }
  };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return utf16('utf-16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return utf16('utf-16be');
  if (bytes.includes(0))
    fail(
      ctx,
      null,
      'contains NUL bytes: it looks like UTF-16 without a byte-order mark; save it again as ' +
        'UTF-8 CSV (or Unicode Text, which carries the mark)',
    );
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const broken = brokenUtf8At(bytes);
    if (broken >= 0)
      fail(
        ctx,
        null,
        `is UTF-8 but byte ${broken} is not (a damaged or mixed file?); save the report as UTF-8 ` +
          'CSV again',
      );
    const bad = bytes.findIndex((b) => WIN1252_UNDEFINED.has(b));
    if (bad >= 0)
      fail(
        ctx,
        null,
        `byte ${bad} is neither UTF-8 nor Windows-1252 (wrong encoding?); save the report as UTF-8 CSV`,
      );
    return {
      text: new TextDecoder('windows-1252').decode(bytes),
      encoding: 'windows-1252',
    };
  }
}

/** Excel's "Unicode Text" is tab-separated; a SIMS CSV is comma-separated. The header decides. */
export function delimiterOf(text: string): ',' | '\t' | ';' {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string): number => first.split(c).length - 1;
  const tabs = count('\t');
  const commas = count(',');
  const semis = count(';');
  if (tabs > commas && tabs >= semis) return '\t';
  if (semis > commas) return ';';
  return ',';
}

/** A heading as compared: case, spacing, dots and underscores ignored ("D.O.B" = "dob"). */
export const normHeading = (h: string): string =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[._]/g, '')
    .replace(/\s+/g, ' ');

/** Lantern's pupil column → the headings that mean it, SIMS's report field names first. */
export const PUPIL_SYNONYMS: Record<string, readonly string[]> = {
  'mis id': ['person id', 'mis id', 'id', 'pupil id', 'student id', 'external id'],
  forename: ['forename', 'preferred forename', 'first name', 'given name'],
  surname: ['surname', 'preferred surname', 'last name', 'family name'],
  dob: ['dob', 'date of birth', 'birth date'],
  upn: ['upn', 'unique pupil number'],
  uln: ['uln', 'unique learner number'],
  adno: ['adno', 'admission number', 'adm no'],
  'middle name': ['middle name', 'middle names', 'middle name(s)'],
  'legal forename': ['legal forename', 'legal first name'],
  'legal surname': ['legal surname', 'legal last name'],
  'preferred name': ['preferred name', 'display name', 'known as'],
  gender: ['gender', 'sex'],
  'admission date': ['admission date', 'date of admission', 'entry date'],
  'leaving date': ['leaving date', 'date of leaving', 'leave date'],
  year: ['year', 'year group', 'nc year', 'ncyear actual', 'curriculum year'],
  'reg group': ['reg group', 'registration group', 'reg', 'form', 'tutor group'],
  'sen status': ['sen status', 'sen provision', 'sen stage'],
  fsm: ['fsm', 'fsm eligible', 'free school meals', 'eligible for fsm'],
  'fsm start date': ['fsm start date', 'fsm eligibility start date'],
  'fsm end date': ['fsm end date', 'fsm eligibility end date'],
  'pupil premium': ['pupil premium', 'pupil premium indicator', 'pp'],
  'pupil premium start date': ['pupil premium start date', 'pp start date'],
  'pupil premium end date': ['pupil premium end date', 'pp end date'],
  eal: ['eal', 'english as an additional language', 'eal status'],
  'eal start date': ['eal start date'],
  'eal end date': ['eal end date'],
  gifted: ['gifted', 'gifted and talented', 'g&t'],
  religion: ['religion'],
  ethnicity: ['ethnicity', 'ethnic description'],
  'first language': ['first language', 'home language'],
  'house no': ['house no', 'house number'],
  street: ['street'],
  district: ['district', 'locality'],
  town: ['town', 'town or city'],
  county: ['county'],
  postcode: ['postcode', 'post code'],
  'looked after': ['looked after', 'in care', 'in lea care', 'lac'],
  'looked after start date': ['looked after start date', 'in care start date'],
  'looked after end date': ['looked after end date', 'in care end date'],
  'previously looked after': ['previously looked after', 'post looked after', 'post lac'],
  'previously looked after start date': ['previously looked after start date'],
  'previously looked after end date': ['previously looked after end date'],
  'child protection plan': ['child protection plan', 'cp plan', 'cpp'],
  'child protection plan start date': ['child protection plan start date', 'cp start date'],
  'child protection plan end date': ['child protection plan end date', 'cp end date'],
  'child in need': ['child in need', 'cin'],
  'child in need start date': ['child in need start date', 'cin start date'],
  'child in need end date': ['child in need end date', 'cin end date'],
  'young carer': ['young carer'],
  'young carer start date': ['young carer start date'],
  'young carer end date': ['young carer end date'],
  'sibling ids': ['sibling ids', 'siblings'],
};

/** Required pupil columns, and what stands in when a report names them only as legal names. */
export const PUPIL_REQUIRED = ['mis id', 'forename', 'surname', 'dob'] as const;
const PUPIL_FALLBACK: Record<string, string> = {
  forename: 'legal forename',
  surname: 'legal surname',
};

export const CONTACT_SYNONYMS: Record<string, readonly string[]> = {
  'contact id': ['contact id', 'contact person id', 'contact mis id'],
  'pupil mis id': ['pupil mis id', 'pupil person id', 'pupil id', 'student id'],
  forename: ['forename', 'contact forename', 'first name'],
  surname: ['surname', 'contact surname', 'last name'],
  title: ['title'],
  relationship: ['relationship', 'relation'],
  priority: ['priority', 'contact priority'],
  'parental responsibility': ['parental responsibility', 'parental resp'],
  'court order': ['court order'],
  'home phone': ['home phone', 'telephone home'],
  'work phone': ['work phone', 'telephone work'],
  'mobile phone': ['mobile phone', 'mobile'],
  email: ['email', 'home email'],
  'work email': ['work email'],
  'house no': ['house no', 'house number'],
  street: ['street'],
  town: ['town'],
  county: ['county'],
  postcode: ['postcode', 'post code'],
};
export const CONTACT_REQUIRED = ['contact id', 'pupil mis id', 'forename', 'surname'] as const;

/** The school's own headings (normalised) → a Lantern column, as the administrator set them. */
export type SchoolSynonyms = Record<string, string>;

/**
 * Which cell index holds each Lantern column. A school synonym wins over the built-in list; an
 * exact Lantern name wins over a synonym of another column. Throws naming the headings found and
 * the names expected when a required column has no heading.
 */
export function mapHeadings(
  file: string,
  headings: string[],
  synonyms: Record<string, readonly string[]>,
  required: readonly string[],
  school: SchoolSynonyms = {},
): Map<string, number> {
  const norm = headings.map(normHeading);
  const out = new Map<string, number>();
  const taken = new Set<number>();
  const claim = (col: string, i: number): void => {
    if (i < 0 || out.has(col) || taken.has(i)) return;
    out.set(col, i);
    taken.add(i);
  };
  for (const [heading, col] of Object.entries(school)) {
    if (Object.hasOwn(synonyms, col)) claim(col, norm.indexOf(normHeading(heading)));
  }
  for (const col of Object.keys(synonyms)) claim(col, norm.indexOf(col));
  for (const [col, names] of Object.entries(synonyms)) {
    for (const n of names) claim(col, norm.indexOf(normHeading(n)));
  }
  if (synonyms === PUPIL_SYNONYMS) {
    for (const [col, stand] of Object.entries(PUPIL_FALLBACK)) {
      const i = out.get(stand);
      if (!out.has(col) && i !== undefined) out.set(col, i);
    }
  }
  const missing = required.filter((c) => !out.has(c));
  if (missing.length > 0) {
    const expected = missing
      .map((c) => `"${c}" (${[...(synonyms[c] ?? []), ...schoolNames(school, c)].join(', ')})`)
      .join('; ');
    // A file saved without its heading row starts with a pupil or contact: their name, date of
    // birth or UPN must not be copied into the stored error, so none of the line is quoted.
    if (out.size === 0 && norm.some((h) => /\d/.test(h)))
      throw new MisFormatError(
        file,
        {},
        'the first line does not look like headings (was the report saved without them?): ' +
          `names expected: ${expected}.`,
      );
    const found = headings.map((h) => JSON.stringify(h.replace(/^\uFEFF/, '').slice(0, 40)));
    throw new MisFormatError(
      file,
      {},
      `is missing the required column ${missing.map((c) => `"${c}"`).join(', ')}: ` +
        `headings found: ${found.slice(0, 60).join(', ') || 'none'}; names expected: ${expected}. ` +
        'An administrator can add the school’s own heading on the MIS page.',
    );
  }
  return out;
}

function schoolNames(school: SchoolSynonyms, col: string): string[] {
  return Object.entries(school)
    .filter(([, c]) => c === col)
    .map(([h]) => h);
}

/** "Year 8", "Yr 8", "NC Year 8" → "8"; "Reception" → "R"; anything else as given. */
export function simsYear(value: string | null): string | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^reception$/i.test(v)) return 'R';
  const m = /^(?:nc\s*)?(?:year|yr|y)\s*(\S+)$/i.exec(v);
  return m?.[1] ?? v;
}
