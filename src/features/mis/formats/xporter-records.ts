// One Groupcall Xporter on Demand row to its normalised form. Field names follow the XoD
// endpoints named in the data-sharing agreement (Students, StudentContacts, Staff, Groups,
// AttendanceCodes, AttendanceForDateRange); docs/MIS.md lists what was assumed.
import type {
  Address,
  Contact,
  ContactPupilLink,
  GroupKind,
  Pupil,
  StaffMember,
  VulnerabilityFlag,
} from '../snapshot.ts';
import {
  blankPupil,
  defaultDisplayName,
  emptyAddress,
  isEmptyAddress,
  withDerivedFlags,
} from './common.ts';
import {
  LIMITS,
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
import type { JsonObject, RecordCtx } from './validate.ts';

/** XoD sends id lists either as JSON arrays or as comma-separated strings. */
export function idList(ctx: RecordCtx, field: string, v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  const items = Array.isArray(v)
    ? v
    : typeof v === 'string'
      ? v.split(',')
      : typeof v === 'number'
        ? [v]
        : null;
  if (items === null) fail(ctx, field, 'must be a list of ids');
  return items
    .map((x, i) => optText(ctx, `${field}[${i}]`, typeof x === 'string' ? x.trim() : x, LIMITS.id))
    .filter((x): x is string => x !== null);
}

function address(ctx: RecordCtx, r: JsonObject): Address | null {
  const t = (k: string, max: number = LIMITS.text): string | null => optText(ctx, k, r[k], max);
  const a: Address = {
    ...emptyAddress(),
    houseNumber: t('HouseNo', LIMITS.code),
    houseName: t('HouseName'),
    street: t('Street'),
    district: t('District'),
    town: t('TownOrCity'),
    county: t('County'),
    postcode: t('PostCode', LIMITS.code),
    block: t('AddressBlock', LIMITS.address),
  };
  return isEmptyAddress(a) ? null : a;
}

/**
 * Flags as XoD sends them: 0/1 (or true/false, "Y"/"N"), each with optional `<Base>StartDate` and
 * `<Base>EndDate`. Names are matched ignoring case (`FsmEligible` / `FSMEligible`), and each kind
 * has the spellings seen in XoD's Students rows: `InLeaCare` (published examples), `InCare` (older),
 * `PupilPremiumIndicator`, `EALStatus`. A field that says no states its kind too (the MIS ended it).
 */
const FLAG_FIELDS: { names: string[]; base: string; kind: VulnerabilityFlag['kind'] }[] = [
  { names: ['ChildProtectionPlan'], base: 'ChildProtectionPlan', kind: 'child_protection_plan' },
  { names: ['ChildInNeed'], base: 'ChildInNeed', kind: 'child_in_need' },
  { names: ['InLeaCare', 'InCare'], base: 'InLeaCare', kind: 'looked_after' },
  {
    names: ['PreviouslyLookedAfter'],
    base: 'PreviouslyLookedAfter',
    kind: 'previously_looked_after',
  },
  { names: ['YoungCarer'], base: 'YoungCarer', kind: 'young_carer' },
  { names: ['FsmEligible'], base: 'Fsm', kind: 'fsm' },
  { names: ['PupilPremium', 'PupilPremiumIndicator'], base: 'PupilPremium', kind: 'pupil_premium' },
  { names: ['Eal', 'EALStatus'], base: 'Eal', kind: 'eal' },
];

/** The first of `names` the row carries (ignoring case), and its value. */
function firstField(r: JsonObject, names: string[]): { key: string; value: unknown } {
  for (const n of names) {
    const f = field(r, n);
    if (f.value !== undefined) return f;
  }
  return { key: names[0]!, value: undefined };
}

function readFlags(ctx: RecordCtx, r: JsonObject, p: Pupil): void {
  const stated = new Set(p.statedFlags ?? []);
  for (const spec of FLAG_FIELDS) {
    const f = firstField(r, spec.names);
    const said = optBool(ctx, f.key, f.value);
    if (said === null) continue;
    stated.add(spec.kind);
    if (!said || p.flags.some((x) => x.kind === spec.kind)) continue;
    const start = field(r, `${spec.base}StartDate`);
    const end = field(r, `${spec.base}EndDate`);
    const startDate = optDate(ctx, start.key, start.value);
    const endDate = optDate(ctx, end.key, end.value);
    if (startDate !== null && endDate !== null && endDate < startDate)
      fail(ctx, end.key, `is before its ${start.key}`);
    p.flags.push({ kind: spec.kind, startDate, endDate });
  }
  p.statedFlags = [...stated];
}

/** A field looked up by its exact name, else ignoring case (`NumAEAMarks` / `NumAeaMarks`). */
function field(r: JsonObject, name: string): { key: string; value: unknown } {
  if (name in r) return { key: name, value: r[name] };
  const lower = name.toLowerCase();
  const key = Object.keys(r).find((k) => k.toLowerCase() === lower);
  return key === undefined ? { key: name, value: undefined } : { key, value: r[key] };
}

export interface XporterStudent {
  pupil: Pupil;
  groupIds: string[];
}

export function readXporterStudent(ctx: RecordCtx, r: JsonObject): XporterStudent {
  const id = reqId(ctx, 'Id', r['Id']);
  const p = blankPupil(
    id,
    reqText(ctx, 'Forename', r['Forename'], LIMITS.name),
    reqText(ctx, 'Surname', r['Surname'], LIMITS.name),
  );
  const t = (k: string, max: number): string | null => optText(ctx, k, r[k], max);
  p.upn = optUpn(ctx, 'UPN', r['UPN'] ?? r['Upn']);
  p.uln = optUln(ctx, 'UniqueLearnerNumber', r['UniqueLearnerNumber'] ?? r['ULN']);
  p.admissionNumber = t('AdmissionNo', LIMITS.code);
  p.middleNames = t('MiddleName', LIMITS.name);
  p.legalForename = t('LegalForename', LIMITS.name);
  p.legalSurname = t('LegalSurname', LIMITS.name);
  p.displayName = t('DisplayName', LIMITS.name);
  // The agreement spells Gender as "Genre"; accept both.
  p.gender = optText(ctx, 'Gender', r['Gender'] ?? r['Genre'], LIMITS.code);
  p.dateOfBirth = optDate(ctx, 'DOB', r['DOB'] ?? r['DateOfBirth']);
  p.entryDate = optDate(ctx, 'EntryDate', r['EntryDate']);
  p.leavingDate = optDate(ctx, 'LeavingDate', r['LeavingDate']);
  p.yearGroup = t('YearGroup', LIMITS.code);
  const sen = firstField(r, ['SenStatus', 'SENProvision', 'SenProvision']);
  p.senStatus = optText(ctx, sen.key, sen.value, LIMITS.code);
  const fsm = field(r, 'FsmEligible');
  p.fsmEligible = optBool(ctx, fsm.key, fsm.value);
  const fsmEnd = field(r, 'FsmEndDate');
  p.fsmEndDate = optDate(ctx, fsmEnd.key, fsmEnd.value);
  const pp = firstField(r, ['PupilPremium', 'PupilPremiumIndicator']);
  p.pupilPremium = optBool(ctx, pp.key, pp.value);
  const eal = firstField(r, ['Eal', 'EALStatus']);
  p.eal = optBool(ctx, eal.key, eal.value);
  p.gifted = optBool(ctx, 'Gifted', r['Gifted']);
  p.religion = { code: t('ReligionCode', LIMITS.code), description: t('Religion', LIMITS.text) };
  p.ethnicity = { code: t('EthnicityCode', LIMITS.code), description: t('Ethnicity', LIMITS.text) };
  p.firstLanguage = {
    code: t('FirstLanguageCode', LIMITS.code),
    description: t('FirstLanguage', LIMITS.text),
  };
  p.address = address(ctx, r);
  if (r['NumPossMarks'] !== undefined && r['NumPossMarks'] !== null) {
    const n = (k: string): number => {
      const f = field(r, k);
      return optInt(ctx, f.key, f.value) ?? 0;
    };
    p.attendance = {
      startDate: optDate(ctx, 'AttStatsStartDate', r['AttStatsStartDate']),
      possible: n('NumPossMarks'),
      present: n('NumPresMarks'),
      approvedEducationalActivity: n('NumAeaMarks'),
      authorisedAbsence: n('NumAuthAbsMarks'),
      unauthorisedAbsence: n('NumUnauthAbsMarks'),
      missing: n('NumMissMarks'),
      late: n('NumLateMarks'),
      lateBeforeRegisterClosed: n('NumLateBeforeRegMarks'),
    };
  }
  p.siblingMisIds = idList(ctx, 'StudentSiblingIds', r['StudentSiblingIds']);
  const photo = optText(ctx, 'Photo', r['Photo'], LIMITS.photo);
  if (photo !== null) {
    p.photo = /^https?:\/\//.test(photo)
      ? { kind: 'url', url: photo }
      : { kind: 'base64', mimeType: null, data: photo };
  }
  const prov = r['StudentSenProvisionHistory'];
  if (Array.isArray(prov)) {
    p.senProvisions = prov.map((x: unknown, i) => {
      const o = (typeof x === 'object' && x !== null ? x : {}) as JsonObject;
      return {
        code: optText(
          ctx,
          `StudentSenProvisionHistory[${i}].SenProvisionCode`,
          o['SenProvisionCode'],
          LIMITS.code,
        ),
        description: optText(
          ctx,
          `StudentSenProvisionHistory[${i}].SenProvisionDescription`,
          o['SenProvisionDescription'],
          LIMITS.text,
        ),
        startDate: optDate(ctx, `StudentSenProvisionHistory[${i}].StartDate`, o['StartDate']),
        endDate: optDate(ctx, `StudentSenProvisionHistory[${i}].EndDate`, o['EndDate']),
      };
    });
  }
  readFlags(ctx, r, p);
  return { pupil: p, groupIds: idList(ctx, 'GroupIds', r['GroupIds']) };
}

export function finishPupil(p: Pupil): Pupil {
  return defaultDisplayName(withDerivedFlags(p));
}

/** StudentContacts rows are one per pupil-contact link; the contact's details repeat on each. */
export function readXporterContactRow(
  ctx: RecordCtx,
  r: JsonObject,
): { contact: Contact; link: ContactPupilLink } {
  ctx.id = optText(ctx, 'Id', r['Id'], LIMITS.id);
  const contactId = reqText(ctx, 'ContactId', r['ContactId'], LIMITS.id);
  const pupilMisId = reqText(ctx, 'StudentId', r['StudentId'], LIMITS.id);
  const t = (k: string, max: number): string | null => optText(ctx, k, r[k], max);
  const phones: Contact['phones'] = [];
  for (const [k, kind] of [
    ['HomePhone', 'home'],
    ['WorkPhone', 'work'],
    ['MobilePhone', 'mobile'],
  ] as const) {
    const n = t(k, LIMITS.phone);
    if (n !== null) phones.push({ kind, number: n });
  }
  const emails: Contact['emails'] = [];
  for (const [k, kind] of [
    ['HomeEmail', 'home'],
    ['WorkEmail', 'work'],
  ] as const) {
    const e = t(k, LIMITS.email);
    if (e !== null) emails.push({ kind, address: e });
  }
  const a = address(ctx, r);
  const contact: Contact = {
    misId: contactId,
    title: t('Title', LIMITS.code),
    forename: reqText(ctx, 'Forename', r['Forename'], LIMITS.name),
    surname: reqText(ctx, 'Surname', r['Surname'], LIMITS.name),
    legalForename: t('LegalForename', LIMITS.name),
    legalSurname: t('LegalSurname', LIMITS.name),
    addresses: a ? [a] : [],
    phones,
    emails,
    pupils: [],
  };
  const link: ContactPupilLink = {
    pupilMisId,
    relationship: t('Relationship', LIMITS.name),
    priority: optInt(ctx, 'Priority', r['Priority']),
    parentalResponsibility: optBool(ctx, 'ParResp', r['ParResp']),
    livesWithPupil: optBool(ctx, 'LivesWith', r['LivesWith']),
    courtOrder: optBool(ctx, 'CourtOrder', r['CourtOrder']),
  };
  return { contact, link };
}

export function readXporterStaff(
  ctx: RecordCtx,
  r: JsonObject,
): { staff: StaffMember; groupIds: string[] } {
  const misId = reqId(ctx, 'Id', r['Id']);
  const staff: StaffMember = {
    misId,
    title: optText(ctx, 'Title', r['Title'], LIMITS.code),
    forename: reqText(ctx, 'Forename', r['Forename'], LIMITS.name),
    surname: reqText(ctx, 'Surname', r['Surname'], LIMITS.name),
    legalForename: optText(ctx, 'LegalForename', r['LegalForename'], LIMITS.name),
    legalSurname: optText(ctx, 'LegalSurname', r['LegalSurname'], LIMITS.name),
    email: optText(ctx, 'Email', r['Email'] ?? r['WorkEmail'], LIMITS.email),
  };
  return { staff, groupIds: idList(ctx, 'GroupIds', r['GroupIds']) };
}

/** XoD group types are free text such as "YearGroup", "RegGroup", "TeachingGroup", "House". */
export function xporterGroupKind(type: string | null): GroupKind {
  const t = (type ?? '').toLowerCase();
  if (t.includes('year')) return 'year';
  if (t.includes('reg') || t.includes('form') || t.includes('tutor')) return 'registration';
  if (t.includes('teach') || t.includes('class')) return 'teaching';
  return 'other';
}
