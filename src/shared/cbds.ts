// The MIS fields an admission form's question may be bound to (issue 21), each with the code set
// the MIS takes for it. The codes are those of the DfE Common Basic Data Set (CBDS) as the school
// census uses them: ethnicity (main and extended codes), first language, religion and a contact's
// relationship to the pupil. Dietary needs have no national code set: SIMS keeps them as a
// school's own lookup, so Lantern offers a small local list the school maps on import
// (docs/MIS-WRITEBACK.md). Shared by the server (which refuses a value not in the set) and the
// web app (which offers only values in it). To change safely: add codes, never rename one (a
// staged answer holds the code), and keep docs/MIS-WRITEBACK.md's table in step.

export type Code = { code: string; description: string };

const set = (pairs: readonly (readonly [string, string])[]): readonly Code[] =>
  pairs.map(([code, description]) => ({ code, description }));

/**
 * Ethnicity (CBDS code set CS003): the 18 main categories, refused and not obtained, then the
 * extended codes a school may use instead, each a finer division of one main category.
 */
export const ETHNICITY = set([
  ['WBRI', 'White - British'],
  ['WIRI', 'White - Irish'],
  ['WIRT', 'Traveller of Irish heritage'],
  ['WOTH', 'Any other White background'],
  ['WROM', 'Gypsy / Roma'],
  ['MWBC', 'White and Black Caribbean'],
  ['MWBA', 'White and Black African'],
  ['MWAS', 'White and Asian'],
  ['MOTH', 'Any other mixed background'],
  ['AIND', 'Indian'],
  ['APKN', 'Pakistani'],
  ['ABAN', 'Bangladeshi'],
  ['AOTH', 'Any other Asian background'],
  ['BCRB', 'Black Caribbean'],
  ['BAFR', 'Black - African'],
  ['BOTH', 'Any other Black background'],
  ['CHNE', 'Chinese'],
  ['OOTH', 'Any other ethnic group'],
  ['REFU', 'Refused'],
  ['NOBT', 'Information not yet obtained'],
  // Extended codes.
  ['WENG', 'White - English'],
  ['WSCO', 'White - Scottish'],
  ['WWEL', 'White - Welsh'],
  ['WCOR', 'White - Cornish'],
  ['WOWB', 'Other White British'],
  ['WALB', 'Albanian'],
  ['WBOS', 'Bosnian- Herzegovinian'],
  ['WCRO', 'Croatian'],
  ['WGRE', 'Greek/ Greek Cypriot'],
  ['WITA', 'Italian'],
  ['WKOS', 'Kosovan'],
  ['WPOR', 'Portuguese'],
  ['WSER', 'Serbian'],
  ['WTUR', 'Turkish/ Turkish Cypriot'],
  ['WEUR', 'White European'],
  ['WOTW', 'White other'],
  ['WROG', 'Gypsy'],
  ['WROR', 'Roma'],
  ['WROO', 'Other Gypsy/Roma'],
  ['MWCH', 'White and Chinese'],
  ['MAOE', 'Asian and any other ethnic group'],
  ['MABL', 'Asian and Black'],
  ['MACH', 'Asian and Chinese'],
  ['MBOE', 'Black and any other ethnic group'],
  ['MCOE', 'Chinese and any other ethnic group'],
  ['MWOE', 'White and any other ethnic group'],
  ['MOTM', 'Other mixed background'],
  ['AMPK', 'Mirpuri Pakistani'],
  ['AKPA', 'Kashmiri Pakistani'],
  ['AOPK', 'Other Pakistani'],
  ['ANEP', 'Nepali'],
  ['ASNL', 'Sri Lankan Sinhalese'],
  ['ASLT', 'Sri Lankan Tamil'],
  ['AOTA', 'Other Asian'],
  ['BGHA', 'Ghanaian'],
  ['BNGN', 'Nigerian'],
  ['BSLN', 'Sierra Leonean'],
  ['BSOM', 'Somali'],
  ['BSUD', 'Sudanese'],
  ['BAOF', 'Other Black African'],
  ['BEUR', 'Black European'],
  ['BNAM', 'Black North American'],
  ['BOTB', 'Other Black'],
  ['CHKC', 'Hong Kong Chinese'],
  ['CMAL', 'Malaysian Chinese'],
  ['CTWN', 'Taiwanese'],
  ['COCH', 'Other Chinese'],
  ['OAFG', 'Afghan'],
  ['OARA', 'Arab Other'],
  ['OEGY', 'Egyptian'],
  ['OFIL', 'Filipino'],
  ['OIRN', 'Iranian'],
  ['OIRQ', 'Iraqi'],
  ['OJPN', 'Japanese'],
  ['OKOR', 'Korean'],
  ['OKRD', 'Kurdish'],
  ['OLAM', 'Latin/ South/ Central American'],
  ['OLEB', 'Lebanese'],
  ['OMRC', 'Moroccan'],
  ['OTHA', 'Thai'],
  ['OVIE', 'Vietnamese'],
  ['OYEM', 'Yemeni'],
  ['OOEG', 'Other ethnic group'],
]);

/**
 * First language (CBDS language codes): the four census codes that say how much is known
 * (ENG, ENB, OTB, OTL), not obtained and refused, then the languages most often recorded.
 */
export const LANGUAGE = set([
  ['ENG', 'English'],
  ['ENB', 'Believed to be English'],
  ['OTB', 'Believed to be other than English'],
  ['OTL', 'Other than English'],
  ['NOT', 'Information not obtained'],
  ['REF', 'Refused'],
  ['ALB', 'Albanian/Shqip'],
  ['ARA', 'Arabic'],
  ['BNG', 'Bengali'],
  ['BUL', 'Bulgarian'],
  ['CHI', 'Chinese'],
  ['CZE', 'Czech'],
  ['FAR', 'Persian/Farsi'],
  ['FRN', 'French'],
  ['GER', 'German'],
  ['GRE', 'Greek'],
  ['GUJ', 'Gujarati'],
  ['HIN', 'Hindi'],
  ['HUN', 'Hungarian'],
  ['ITA', 'Italian'],
  ['KUR', 'Kurdish'],
  ['LAT', 'Latvian'],
  ['LIT', 'Lithuanian'],
  ['NEP', 'Nepali'],
  ['PAS', 'Pashto/Pakhto'],
  ['PNJ', 'Panjabi'],
  ['POL', 'Polish'],
  ['POR', 'Portuguese'],
  ['RUS', 'Russian'],
  ['SLO', 'Slovak'],
  ['SOM', 'Somali'],
  ['SPA', 'Spanish'],
  ['TAM', 'Tamil'],
  ['TUR', 'Turkish'],
  ['URD', 'Urdu'],
  ['VIE', 'Vietnamese'],
  ['YOR', 'Yoruba'],
]);

/** Religion (CBDS): the main religions, other, none, refused and not obtained. */
export const RELIGION = set([
  ['BUD', 'Buddhist'],
  ['CHR', 'Christian'],
  ['HIN', 'Hindu'],
  ['JEW', 'Jewish'],
  ['MUS', 'Muslim'],
  ['SIK', 'Sikh'],
  ['OTH', 'Other religion'],
  ['NOR', 'No religion'],
  ['REF', 'Refused'],
  ['NOB', 'Information not yet obtained'],
]);

/** A contact's relationship to the pupil (CBDS). */
export const RELATIONSHIP = set([
  ['PAR', 'Parent'],
  ['STP', 'Step-parent'],
  ['FOF', 'Foster parent'],
  ['CAR', 'Carer'],
  ['FAM', 'Other family member'],
  ['REL', 'Other relative'],
  ['CHM', 'Childminder'],
  ['SWR', 'Social worker'],
  ['DOC', 'Doctor'],
  ['OTH', 'Other contact'],
]);

/** Dietary needs: Lantern's own list (no national code set); the school maps it on import. */
export const DIETARY = set([
  ['NON', 'No special diet'],
  ['VEG', 'Vegetarian'],
  ['VGN', 'Vegan'],
  ['HAL', 'Halal'],
  ['KOS', 'Kosher'],
  ['NPK', 'No pork'],
  ['NUT', 'Nut free'],
  ['GLU', 'Gluten free'],
  ['DAI', 'Dairy free'],
  ['EGG', 'Egg free'],
  ['MED', 'Medical diet (see medical conditions)'],
]);

export const CODE_SETS = {
  ethnicity: ETHNICITY,
  language: LANGUAGE,
  religion: RELIGION,
  relationship: RELATIONSHIP,
  dietary: DIETARY,
} as const;
export type CodeSetName = keyof typeof CODE_SETS;

export function describeCode(setName: CodeSetName, code: string): string | null {
  return CODE_SETS[setName].find((c) => c.code === code)?.description ?? null;
}

/**
 * How a field's answer is given. `text` one line, `long` several (sealed like record text), `code`
 * one value of `codeSet`, `contact` one contact with its priority and parental responsibility.
 */
export type FieldKind = 'text' | 'long' | 'code' | 'contact';

export type MisField = {
  key: string;
  label: string;
  kind: FieldKind;
  codeSet?: CodeSetName;
  /** The field's name in SIMS, used as the write-back file's "Field" column. */
  sims: string;
  /** For a contact: the priority it stands at in the MIS (1 is called first). */
  priority?: number;
};

/** Every MIS field a question may be bound to. */
export const MIS_FIELDS = [
  {
    key: 'preferred_forename',
    label: 'Preferred first name',
    kind: 'text',
    sims: 'Preferred Forename',
  },
  { key: 'ethnicity', label: 'Ethnicity', kind: 'code', codeSet: 'ethnicity', sims: 'Ethnicity' },
  {
    key: 'first_language',
    label: 'First language',
    kind: 'code',
    codeSet: 'language',
    sims: 'First Language',
  },
  { key: 'religion', label: 'Religion', kind: 'code', codeSet: 'religion', sims: 'Religion' },
  { key: 'address', label: 'Home address', kind: 'long', sims: 'Address' },
  { key: 'doctor', label: 'Family doctor (name and surgery)', kind: 'text', sims: 'Doctor' },
  {
    key: 'medical_conditions',
    label: 'Medical conditions',
    kind: 'long',
    sims: 'Medical Conditions',
  },
  {
    key: 'dietary_needs',
    label: 'Dietary needs',
    kind: 'code',
    codeSet: 'dietary',
    sims: 'Dietary Needs',
  },
  { key: 'contact_1', label: 'First contact', kind: 'contact', sims: 'Contact', priority: 1 },
  { key: 'contact_2', label: 'Second contact', kind: 'contact', sims: 'Contact', priority: 2 },
] as const satisfies readonly MisField[];

export type MisFieldKey = (typeof MIS_FIELDS)[number]['key'];
export const MIS_FIELD_KEYS: MisFieldKey[] = MIS_FIELDS.map<MisFieldKey>((f) => f.key);

export function misField(key: string): MisField | undefined {
  return (MIS_FIELDS as readonly MisField[]).find((f) => f.key === key);
}

/** A contact as a parent gives it. */
export type ContactAnswer = {
  forename: string;
  surname: string;
  relationship: string;
  parentalResponsibility: boolean;
  telephone: string;
  email: string;
};
export type AnswerValue = string | ContactAnswer;

/** Limits of a typed answer. */
export const ANSWER_LIMITS = { text: 200, long: 2000 } as const;

/**
 * Why an answer cannot go to the MIS, in a sentence naming the field; null when it can. A code
 * must be one of its set's codes exactly; a contact's relationship likewise.
 */
export function answerProblem(field: MisField, value: AnswerValue): string | null {
  const named = (what: string) => `${field.label}: ${what}`;
  if (field.kind === 'contact') {
    if (typeof value !== 'object') return named('give the contact’s details.');
    if (!value.forename.trim() || !value.surname.trim())
      return named('give the contact’s first name and surname.');
    if (describeCode('relationship', value.relationship) === null)
      return named(`“${value.relationship}” is not a relationship the MIS knows.`);
    if (value.telephone.length > 40 || value.email.length > 200 || value.forename.length > 100)
      return named('one of the contact’s details is too long.');
    return null;
  }
  if (typeof value !== 'string') return named('give a single answer.');
  if (field.kind === 'code') {
    if (describeCode(field.codeSet!, value) === null)
      return named(`“${value.slice(0, 20)}” is not a code the MIS knows for this field.`);
    return null;
  }
  const max = field.kind === 'long' ? ANSWER_LIMITS.long : ANSWER_LIMITS.text;
  if (value.length > max) return named(`keep it to ${max} characters.`);
  return null;
}

/** An answer as a person reads it (a code with its description). */
export function showAnswer(field: MisField, value: AnswerValue | null): string {
  if (value === null) return '';
  if (typeof value === 'object') {
    const rel = describeCode('relationship', value.relationship) ?? value.relationship;
    const pr = value.parentalResponsibility
      ? 'parental responsibility'
      : 'no parental responsibility';
    return [`${value.forename} ${value.surname}`, rel, pr, value.telephone, value.email]
      .filter((s) => s.trim() !== '')
      .join(', ');
  }
  if (field.kind === 'code')
    return `${value} (${describeCode(field.codeSet!, value) ?? 'unknown'})`;
  return value;
}

/**
 * An answer in words for someone who does not work with the MIS's codes (a subject-access
 * response's letter, PDF, JSON and CSV): a code as its set's label alone, a contact with their
 * relationship in words and whether they hold parental responsibility. A code its set does not
 * know (an answer staged before a code was withdrawn) is shown as given and said to be a code.
 */
export function answerInWords(field: MisField, value: AnswerValue): string {
  if (typeof value === 'object') {
    const rel = describeCode('relationship', value.relationship) ?? value.relationship;
    const pr = value.parentalResponsibility
      ? 'has parental responsibility'
      : 'no parental responsibility';
    return [`${value.forename} ${value.surname}`, rel, pr, value.telephone, value.email]
      .filter((s) => s.trim() !== '')
      .join(', ');
  }
  if (field.kind === 'code')
    return describeCode(field.codeSet!, value) ?? `${value} (a code the MIS uses)`;
  return value;
}

/** Whether two values say the same thing (contacts compared field by field, text trimmed). */
export function sameAnswer(a: AnswerValue | null, b: AnswerValue | null): boolean {
  if (a === null || b === null) return (a ?? '') === (b ?? '');
  if (typeof a === 'string') return typeof b === 'string' && a.trim() === b.trim();
  if (typeof b === 'string') return false;
  return (
    a.forename.trim() === b.forename.trim() &&
    a.surname.trim() === b.surname.trim() &&
    a.relationship === b.relationship &&
    a.parentalResponsibility === b.parentalResponsibility &&
    a.telephone.trim() === b.telephone.trim() &&
    a.email.trim().toLowerCase() === b.email.trim().toLowerCase()
  );
}
