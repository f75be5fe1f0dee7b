// Pieces every reader needs after the raw fields are checked: national attendance codes,
// vulnerability flags implied by other fields, and a pupil shell with safe empty defaults.
import {
  VULNERABILITY_KINDS,
  type Address,
  type AttendanceCategory,
  type AttendanceCode,
  type Pupil,
  type VulnerabilityFlag,
  type VulnerabilityKind,
} from '../snapshot.ts';

/** DfE school attendance codes (2024 guidance) and how each counts. */
const DFE_CODES: [string, string, AttendanceCategory][] = [
  ['/', 'Present (AM)', 'present'],
  ['\\', 'Present (PM)', 'present'],
  ['L', 'Late (before registers closed)', 'late'],
  ['B', 'Off-site educational activity', 'approved_educational_activity'],
  ['D', 'Dual registered', 'not_required'],
  ['J', 'Interview', 'approved_educational_activity'],
  ['K', 'Attending provision arranged by the local authority', 'approved_educational_activity'],
  ['P', 'Approved sporting activity', 'approved_educational_activity'],
  ['V', 'Educational visit or trip', 'approved_educational_activity'],
  ['W', 'Work experience', 'approved_educational_activity'],
  ['C', 'Authorised leave of absence', 'authorised_absence'],
  ['E', 'Suspended or excluded', 'authorised_absence'],
  ['H', 'Holiday authorised', 'authorised_absence'],
  ['I', 'Illness', 'authorised_absence'],
  ['M', 'Medical or dental appointment', 'authorised_absence'],
  ['R', 'Religious observance', 'authorised_absence'],
  ['S', 'Study leave', 'authorised_absence'],
  ['T', 'Traveller absence', 'authorised_absence'],
  ['G', 'Holiday not authorised', 'unauthorised_absence'],
  ['N', 'Reason not yet provided', 'unauthorised_absence'],
  ['O', 'Absent in other or unknown circumstances', 'unauthorised_absence'],
  ['U', 'Arrived after registers closed', 'unauthorised_absence'],
  ['X', 'Not required to be in school', 'not_required'],
  ['Y', 'Unable to attend due to exceptional circumstances', 'not_required'],
  ['Z', 'Pupil not on admission register', 'not_required'],
  ['#', 'Planned whole-school closure', 'not_required'],
  ['-', 'No mark', 'no_mark'],
];

const CATEGORY_BY_CODE = new Map(DFE_CODES.map(([c, , cat]) => [c, cat]));

export function dfeAttendanceCodes(): AttendanceCode[] {
  return DFE_CODES.map(([code, description, category]) => ({
    code,
    description,
    meaning: null,
    physicalMeaning: null,
    category,
  }));
}

/** The national code decides; the feed's own meaning text is used only for local codes. */
export function categoriseCode(code: string, meaning: string | null): AttendanceCategory {
  const known = CATEGORY_BY_CODE.get(code);
  if (known) return known;
  const m = (meaning ?? '').toLowerCase();
  if (m.includes('unauthorised')) return 'unauthorised_absence';
  if (m.includes('authorised')) return 'authorised_absence';
  if (m.includes('approved') || m.includes('educational activity'))
    return 'approved_educational_activity';
  if (m.includes('late')) return 'late';
  if (m.includes('present')) return 'present';
  if (m.includes('not required')) return 'not_required';
  if (m.includes('no mark')) return 'no_mark';
  return 'unknown';
}

export function emptyAddress(): Address {
  return {
    houseNumber: null,
    houseName: null,
    street: null,
    district: null,
    town: null,
    county: null,
    postcode: null,
    country: null,
    block: null,
  };
}

export function isEmptyAddress(a: Address): boolean {
  return Object.values(a).every((v) => v === null);
}

/** A pupil with every optional field empty, so readers only set what their feed carries. */
export function blankPupil(misId: string, forename: string, surname: string): Pupil {
  return {
    misId,
    upn: null,
    uln: null,
    admissionNumber: null,
    forename,
    surname,
    middleNames: null,
    legalForename: null,
    legalSurname: null,
    displayName: null,
    dateOfBirth: null,
    gender: null,
    entryDate: null,
    leavingDate: null,
    yearGroup: null,
    senStatus: null,
    senNeeds: [],
    senProvisions: [],
    fsmEligible: null,
    fsmEndDate: null,
    pupilPremium: null,
    eal: null,
    gifted: null,
    religion: { code: null, description: null },
    ethnicity: { code: null, description: null },
    firstLanguage: { code: null, description: null },
    address: null,
    attendance: null,
    siblingMisIds: [],
    photo: null,
    flags: [],
    statedFlags: [],
  };
}

/**
 * First-language codes (DfE census) that do not mean English as an additional language: English,
 * believed English, not obtained, refused. Any other code means a first language other than
 * English, which is how the census derives EAL when the MIS sends no EAL field of its own.
 */
const NOT_EAL = new Set(['ENG', 'ENB', 'NOT', 'REF']);

/**
 * Adds the flags other fields already imply (FSM, pupil premium, EAL, SEN support, EHCP) to the
 * ones the feed stated, without duplicating a kind the feed gave explicitly (it may carry dates),
 * and records which kinds the record speaks about (statedFlags): a field that says "no" states
 * its kind as much as one that says "yes", so a flag the MIS ended is ended here too.
 * SEN status codes are the census ones: K = SEN support, E = EHC plan, S = statement (legacy),
 * N = none.
 */
export function withDerivedFlags(p: Pupil): Pupil {
  const flags: VulnerabilityFlag[] = [...p.flags];
  const stated = new Set<VulnerabilityKind>([
    ...(p.statedFlags ?? []),
    ...flags.map((f) => f.kind),
  ]);
  const has = (k: VulnerabilityKind): boolean => flags.some((f) => f.kind === k);
  const add = (k: VulnerabilityKind, end: string | null = null): void => {
    if (!has(k)) flags.push({ kind: k, startDate: null, endDate: end });
  };
  if (p.fsmEligible !== null) stated.add('fsm');
  if (p.fsmEligible === true) add('fsm', p.fsmEndDate);
  if (p.pupilPremium !== null) stated.add('pupil_premium');
  if (p.pupilPremium === true) add('pupil_premium');
  const language = (p.firstLanguage.code ?? '').trim().toUpperCase();
  const eal = p.eal ?? (language === '' ? null : !NOT_EAL.has(language));
  if (eal !== null) stated.add('eal');
  if (eal === true) add('eal');
  if (p.senStatus !== null) {
    stated.add('sen_support');
    stated.add('ehcp');
  }
  const sen = (p.senStatus ?? '').trim().toUpperCase();
  if (sen === 'K') add('sen_support');
  if (sen === 'E' || sen === 'S') add('ehcp');
  // By kind; ranges of one kind stay in the feed's order (a stable sort).
  flags.sort((a, b) => VULNERABILITY_KINDS.indexOf(a.kind) - VULNERABILITY_KINDS.indexOf(b.kind));
  return {
    ...p,
    flags,
    statedFlags: VULNERABILITY_KINDS.filter((k) => stated.has(k)),
  };
}

export function defaultDisplayName(p: Pupil): Pupil {
  return p.displayName === null ? { ...p, displayName: `${p.forename} ${p.surname}` } : p;
}
