// One Wonde record (student, contact, employee, group) to its normalised form. Field names
// follow Wonde's v1.0 API; where Wonde's shape is not public or varies, docs/MIS.md says what
// was assumed.
import type {
  Address,
  AttendanceStatistics,
  Contact,
  ContactPupilLink,
  EmailKind,
  GroupKind,
  PhoneKind,
  Photo,
  Pupil,
  SenNeed,
  SenProvision,
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
  isObject,
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

/** Wonde wraps every include as `{data: ...}`; an absent include reads as undefined. */
export function inc(obj: JsonObject, key: string): unknown {
  const v = obj[key];
  return isObject(v) && 'data' in v ? v['data'] : v;
}

function incObject(ctx: RecordCtx, obj: JsonObject, key: string): JsonObject {
  const v = inc(obj, key);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(ctx, key, 'must be an object');
  return v;
}

function incList(ctx: RecordCtx, obj: JsonObject, key: string): JsonObject[] {
  const v = inc(obj, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isObject)) fail(ctx, key, 'must be a list of objects');
  return v;
}

function address(ctx: RecordCtx, field: string, a: unknown): Address | null {
  if (!isObject(a)) return null;
  const t = (k: string, max: number = LIMITS.text): string | null =>
    optText(ctx, `${field}.${k}`, a[k], max);
  const country = isObject(a['country']) ? inc(a, 'country') : a['country'];
  const out: Address = {
    ...emptyAddress(),
    houseNumber: t('house_number', LIMITS.code),
    houseName: t('house_name'),
    street: t('street'),
    district: t('district'),
    town: t('town'),
    county: t('county'),
    postcode: t('postcode', LIMITS.code),
    country: optText(
      ctx,
      `${field}.country`,
      isObject(country) ? country['name'] : country,
      LIMITS.name,
    ),
  };
  return isEmptyAddress(out) ? null : out;
}

function contactDetails(
  ctx: RecordCtx,
  obj: JsonObject,
): Pick<Contact, 'addresses' | 'phones' | 'emails'> {
  const cd = incObject(ctx, obj, 'contact_details');
  const phones: Contact['phones'] = [];
  const emails: Contact['emails'] = [];
  const addresses: Address[] = [];
  const ph = isObject(cd['phones']) ? cd['phones'] : {};
  const phoneKinds: [string, PhoneKind][] = [
    ['home', 'home'],
    ['work', 'work'],
    ['mobile', 'mobile'],
    ['phone', 'other'],
  ];
  for (const [key, kind] of phoneKinds) {
    const n = optText(ctx, `contact_details.phones.${key}`, ph[key], LIMITS.phone);
    if (n !== null && !phones.some((p) => p.number === n)) phones.push({ kind, number: n });
  }
  const em = isObject(cd['emails']) ? cd['emails'] : {};
  const emailKinds: [string, EmailKind][] = [
    ['home', 'home'],
    ['work', 'work'],
    ['email', 'other'],
  ];
  for (const [key, kind] of emailKinds) {
    const e = optText(ctx, `contact_details.emails.${key}`, em[key], LIMITS.email);
    if (e !== null && !emails.some((x) => x.address === e)) emails.push({ kind, address: e });
  }
  const ad = isObject(cd['addresses']) ? cd['addresses'] : {};
  for (const key of ['home', 'postal', 'work']) {
    const a = address(ctx, `contact_details.addresses.${key}`, ad[key]);
    if (a) addresses.push(a);
  }
  return { addresses, phones, emails };
}

function senNeeds(ctx: RecordCtx, s: JsonObject): SenNeed[] {
  return incList(ctx, s, 'sen_needs').map((n, i) => ({
    code: optText(ctx, `sen_needs[${i}].code`, n['code'] ?? n['type'], LIMITS.code),
    description: optText(ctx, `sen_needs[${i}].description`, n['description'], LIMITS.text),
    rank: optInt(ctx, `sen_needs[${i}].rank`, n['rank']),
    startDate: optDate(ctx, `sen_needs[${i}].start_date`, n['start_date']),
    endDate: optDate(ctx, `sen_needs[${i}].end_date`, n['end_date']),
  }));
}

function senProvisions(ctx: RecordCtx, s: JsonObject): SenProvision[] {
  return incList(ctx, s, 'sen_provisions').map((n, i) => ({
    code: optText(ctx, `sen_provisions[${i}].code`, n['code'], LIMITS.code),
    description: optText(ctx, `sen_provisions[${i}].description`, n['description'], LIMITS.text),
    startDate: optDate(ctx, `sen_provisions[${i}].start_date`, n['start_date']),
    endDate: optDate(ctx, `sen_provisions[${i}].end_date`, n['end_date']),
  }));
}

function attendanceSummary(ctx: RecordCtx, s: JsonObject): AttendanceStatistics | null {
  const a = inc(s, 'attendance_summary');
  if (!isObject(a)) return null;
  const n = (k: string): number => optInt(ctx, `attendance_summary.${k}`, a[k]) ?? 0;
  return {
    startDate: optDate(ctx, 'attendance_summary.start_date', a['start_date']),
    possible: n('possible_sessions'),
    present: n('present_sessions'),
    approvedEducationalActivity: n('approved_educational_activity_sessions'),
    authorisedAbsence: n('authorised_absence_sessions'),
    unauthorisedAbsence: n('unauthorised_absence_sessions'),
    missing: n('missing_sessions'),
    late: n('late_sessions'),
    lateBeforeRegisterClosed: n('late_before_registers_closed_sessions'),
  };
}

function photo(ctx: RecordCtx, s: JsonObject): Photo | null {
  const p = inc(s, 'photo');
  if (!isObject(p)) return null;
  const content = optText(ctx, 'photo.content', p['content'], LIMITS.photo);
  if (content !== null)
    return {
      kind: 'base64',
      mimeType: optText(ctx, 'photo.mime_type', p['mime_type'], LIMITS.code),
      data: content,
    };
  const url = optText(ctx, 'photo.url', p['url'], LIMITS.url);
  return url === null ? null : { kind: 'url', url };
}

const EXTENDED_FLAGS: [string, VulnerabilityFlag['kind']][] = [
  ['child_protection_plan', 'child_protection_plan'],
  ['child_in_need', 'child_in_need'],
  ['in_lea_care', 'looked_after'],
  ['previously_looked_after', 'previously_looked_after'],
  ['young_carer', 'young_carer'],
];

/**
 * Wonde's dated includes (`students?include=child_protection_plan_date_ranges,...`, named in the
 * student object's related-objects list): each row a `{start_date, end_date}` pair of date
 * objects or plain dates. Where a school's account sends them they replace the undated
 * `extended_details` boolean of the same kind, and an include that is present but empty says the
 * pupil has no such flag (a past one the MIS removed is removed here too).
 * `sen_date_ranges` rows are SEN support unless the row (`sen_status`, `status`, `code` or
 * `provision`) or the pupil's SEN status says E or S (an EHC plan, or a statement before 2014).
 * `upfsm_date_ranges` (universal infant free school meals) is not read: it is given to every
 * infant pupil and says nothing about the child's circumstances.
 */
const DATE_RANGE_FLAGS: [string, VulnerabilityFlag['kind'][]][] = [
  ['child_protection_plan_date_ranges', ['child_protection_plan']],
  ['in_care_date_ranges', ['looked_after']],
  ['fsm_date_ranges', ['fsm']],
  ['sen_date_ranges', ['sen_support', 'ehcp']],
];

function senKind(row: JsonObject, pupilStatus: string | null): VulnerabilityFlag['kind'] {
  const raw = [row['sen_status'], row['status'], row['code'], row['provision'], pupilStatus].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  const code = (raw ?? '').trim().toUpperCase();
  return code === 'E' || code === 'S' ? 'ehcp' : 'sen_support';
}

function dateRangeFlags(
  ctx: RecordCtx,
  s: JsonObject,
  senStatus: string | null,
): { flags: VulnerabilityFlag[]; stated: VulnerabilityFlag['kind'][] } {
  const flags: VulnerabilityFlag[] = [];
  const stated: VulnerabilityFlag['kind'][] = [];
  for (const [key, kinds] of DATE_RANGE_FLAGS) {
    if (inc(s, key) === undefined) continue;
    stated.push(...kinds);
    incList(ctx, s, key).forEach((r, i) => {
      const startDate = optDate(ctx, `${key}[${i}].start_date`, r['start_date']);
      const endDate = optDate(ctx, `${key}[${i}].end_date`, r['end_date']);
      if (startDate !== null && endDate !== null && endDate < startDate)
        fail(ctx, `${key}[${i}].end_date`, 'is before its start_date');
      const kind = kinds.length === 1 ? kinds[0]! : senKind(r, senStatus);
      flags.push({ kind, startDate, endDate });
    });
  }
  return { flags, stated };
}

export interface WondeStudent {
  pupil: Pupil;
  links: { contact: Contact; link: ContactPupilLink }[];
  groups: { misId: string; name: string; kind: GroupKind; sourceType: string | null }[];
}

export function readWondeStudent(ctx: RecordCtx, s: JsonObject): WondeStudent {
  const misId = reqId(ctx, 'id', s['id']);
  const p = blankPupil(
    misId,
    reqText(ctx, 'forename', s['forename'], LIMITS.name),
    reqText(ctx, 'surname', s['surname'], LIMITS.name),
  );
  const ed = incObject(ctx, s, 'education_details');
  const ex = incObject(ctx, s, 'extended_details');
  p.middleNames = optText(ctx, 'middle_names', s['middle_names'], LIMITS.name);
  p.legalForename = optText(ctx, 'legal_forename', s['legal_forename'], LIMITS.name);
  p.legalSurname = optText(ctx, 'legal_surname', s['legal_surname'], LIMITS.name);
  p.displayName = optText(ctx, 'display_name', s['display_name'], LIMITS.name);
  p.gender = optText(ctx, 'gender', s['gender'], LIMITS.code);
  p.dateOfBirth = optDate(ctx, 'date_of_birth', s['date_of_birth']);
  p.upn = optUpn(ctx, 'upn', s['upn'] ?? ed['upn']);
  p.uln = optUln(ctx, 'education_details.learner_number', ed['learner_number']);
  p.admissionNumber = optText(
    ctx,
    'education_details.admission_number',
    ed['admission_number'],
    LIMITS.code,
  );
  p.entryDate = optDate(ctx, 'education_details.admission_date', ed['admission_date']);
  p.leavingDate = optDate(ctx, 'education_details.leaving_date', ed['leaving_date']);
  p.yearGroup = optText(
    ctx,
    'education_details.current_nc_year',
    ed['current_nc_year'],
    LIMITS.code,
  );
  p.senStatus = optText(ctx, 'extended_details.sen_status', ex['sen_status'], LIMITS.code);
  p.fsmEligible = optBool(ctx, 'extended_details.free_school_meals', ex['free_school_meals']);
  p.fsmEndDate = optDate(
    ctx,
    'extended_details.free_school_meals_end_date',
    ex['free_school_meals_end_date'],
  );
  p.pupilPremium = optBool(
    ctx,
    'extended_details.premium_pupil_indicator',
    ex['premium_pupil_indicator'],
  );
  p.eal = optBool(
    ctx,
    'extended_details.english_as_additional_language',
    ex['english_as_additional_language'],
  );
  p.gifted = optBool(ctx, 'extended_details.gifted_and_talented', ex['gifted_and_talented']);
  const coded = (code: string, name: string): Pupil['religion'] => ({
    code: optText(ctx, `extended_details.${code}`, ex[code], LIMITS.code),
    description: optText(ctx, `extended_details.${name}`, ex[name], LIMITS.text),
  });
  p.religion = coded('religion_code', 'religion');
  p.ethnicity = coded('ethnicity_code', 'ethnicity');
  p.firstLanguage = coded('first_language_code', 'first_language');
  const ranges = dateRangeFlags(ctx, s, p.senStatus);
  p.flags.push(...ranges.flags);
  const stated = new Set(ranges.stated);
  for (const [key, kind] of EXTENDED_FLAGS) {
    const said = optBool(ctx, `extended_details.${key}`, ex[key]);
    if (said === null) continue;
    stated.add(kind);
    // A dated range of the same kind is the fuller answer; a "yes" without one (or with only
    // ended ones) is a current flag whose start the MIS did not send.
    const current = p.flags.some((f) => f.kind === kind && f.endDate === null);
    if (said && !current) p.flags.push({ kind, startDate: null, endDate: null });
  }
  // A dated SEN range decides SEN support and EHCP; the status code alone must not add an
  // undated copy beside it.
  p.statedFlags = [...stated];
  p.senNeeds = senNeeds(ctx, s);
  p.senProvisions = senProvisions(ctx, s);
  p.address = contactDetails(ctx, s).addresses[0] ?? null;
  p.attendance = attendanceSummary(ctx, s);
  p.siblingMisIds = incList(ctx, s, 'siblings').map((x, i) =>
    reqText(ctx, `siblings[${i}].id`, x['id'], LIMITS.id),
  );
  p.photo = photo(ctx, s);

  const links = incList(ctx, s, 'contacts').map((c, i) => {
    const contact = readWondeContact({ ...ctx }, c, `contacts[${i}].`);
    return {
      contact,
      link: relationship(ctx, `contacts[${i}].relationship`, misId, inc(c, 'relationship')),
    };
  });
  const groups: WondeStudent['groups'] = [
    ...incList(ctx, s, 'groups').map((g, i) => readWondeGroup(ctx, g, `groups[${i}].`)),
    ...incList(ctx, s, 'classes').map((g, i) => ({
      ...readWondeGroup(ctx, g, `classes[${i}].`),
      kind: 'teaching' as const,
    })),
  ];
  return { pupil: defaultDisplayName(withDerivedFlags(p)), links, groups };
}

export function relationship(
  ctx: RecordCtx,
  field: string,
  pupilMisId: string,
  r: unknown,
): ContactPupilLink {
  const o = isObject(r) ? r : { relationship: r };
  return {
    pupilMisId,
    relationship: optText(ctx, `${field}.relationship`, o['relationship'], LIMITS.name),
    priority: optInt(ctx, `${field}.priority`, o['priority']),
    parentalResponsibility: optBool(
      ctx,
      `${field}.parental_responsibility`,
      o['parental_responsibility'],
    ),
    livesWithPupil: optBool(ctx, `${field}.lives_with_pupil`, o['lives_with_pupil']),
    courtOrder: optBool(ctx, `${field}.court_order`, o['court_order']),
  };
}

export function readWondeContact(ctx: RecordCtx, c: JsonObject, prefix = ''): Contact {
  const saved = ctx.id;
  const misId = reqText(ctx, `${prefix}id`, c['id'], LIMITS.id);
  if (prefix === '') ctx.id = misId;
  const out: Contact = {
    misId,
    title: optText(ctx, `${prefix}title`, c['title'], LIMITS.code),
    forename: reqText(ctx, `${prefix}forename`, c['forename'], LIMITS.name),
    surname: reqText(ctx, `${prefix}surname`, c['surname'], LIMITS.name),
    legalForename: optText(ctx, `${prefix}legal_forename`, c['legal_forename'], LIMITS.name),
    legalSurname: optText(ctx, `${prefix}legal_surname`, c['legal_surname'], LIMITS.name),
    ...contactDetails(ctx, c),
    pupils: [],
  };
  if (prefix !== '') ctx.id = saved;
  return out;
}

export function readWondeEmployee(
  ctx: RecordCtx,
  e: JsonObject,
): { staff: StaffMember; groupIds: string[] } {
  const misId = reqId(ctx, 'id', e['id']);
  const cd = incObject(ctx, e, 'contact_details');
  const em = isObject(cd['emails']) ? cd['emails'] : {};
  const staff: StaffMember = {
    misId,
    title: optText(ctx, 'title', e['title'], LIMITS.code),
    forename: reqText(ctx, 'forename', e['forename'], LIMITS.name),
    surname: reqText(ctx, 'surname', e['surname'], LIMITS.name),
    legalForename: optText(ctx, 'legal_forename', e['legal_forename'], LIMITS.name),
    legalSurname: optText(ctx, 'legal_surname', e['legal_surname'], LIMITS.name),
    email: optText(ctx, 'contact_details.emails.email', em['email'] ?? em['work'], LIMITS.email),
  };
  const groupIds = [...incList(ctx, e, 'classes'), ...incList(ctx, e, 'groups')].map((g, i) =>
    reqText(ctx, `groups[${i}].id`, g['id'], LIMITS.id),
  );
  return { staff, groupIds };
}

/** Wonde group `type` values seen in the wild: YEAR, REGISTRATION, HOUSE, DEPARTMENT... */
export function groupKind(type: string | null): GroupKind {
  const t = (type ?? '').toUpperCase();
  if (t === 'YEAR' || t === 'YEAR_GROUP') return 'year';
  if (t === 'REGISTRATION' || t === 'REG' || t === 'FORM' || t === 'TUTOR') return 'registration';
  if (t === 'CLASS' || t === 'TEACHING') return 'teaching';
  return 'other';
}

export function readWondeGroup(
  ctx: RecordCtx,
  g: JsonObject,
  prefix = '',
): WondeStudent['groups'][number] {
  const misId = reqText(ctx, `${prefix}id`, g['id'], LIMITS.id);
  if (prefix === '') ctx.id = misId;
  const sourceType = optText(ctx, `${prefix}type`, g['type'], LIMITS.code);
  return {
    misId,
    name: reqText(ctx, `${prefix}name`, g['name'], LIMITS.name),
    kind: groupKind(sourceType),
    sourceType,
  };
}
