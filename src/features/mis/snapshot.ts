// The one shape every MIS feed is read into. The sync engine consumes only this, so a new feed
// format is a new reader, never a change to the engine. Everything here is plain data: strings
// are kept exactly as the feed gave them (never trimmed of apostrophes, never HTML-escaped).

export type MisFormat = 'wonde' | 'xporter' | 'csv';

/** `full`: everything the MIS holds now; absent pupils are leavers. `delta`: only what changed. */
export type SnapshotKind = 'full' | 'delta';

/**
 * The kind of a run is decided from the feed where the feed says (an Xporter changeset, a Wonde
 * page fetched with `updated_after`). A kind the caller states is checked against that, never
 * trusted over it: a changeset given as a full import is refused (it would archive everyone it
 * does not mention). Where the feed is silent, the caller's kind stands (default `full`).
 */
export function decideKind(
  file: string,
  evidence: string | null,
  requested: SnapshotKind | undefined,
): SnapshotKind {
  if (evidence === null) return requested ?? 'full';
  if (requested === 'full')
    throw new MisFormatError(
      file,
      { field: null },
      `is a changeset (${evidence}), which holds only what changed since the last run; it cannot be ` +
        'imported as a full snapshot (that would archive everyone it does not mention). Import it ' +
        'as a delta, or ask the integrator for a full extract.',
    );
  return 'delta';
}

/** ISO calendar date, `YYYY-MM-DD`, already checked to be a real date. */
export type IsoDate = string;

export interface CodedValue {
  code: string | null;
  description: string | null;
}

export interface Address {
  houseNumber: string | null;
  houseName: string | null;
  street: string | null;
  district: string | null;
  town: string | null;
  county: string | null;
  postcode: string | null;
  country: string | null;
  /** The MIS's own pre-formatted block (Xporter `AddressBlock`), when it sends one. */
  block: string | null;
}

export interface SenNeed {
  code: string | null;
  description: string | null;
  /** 1 = primary need, 2 = secondary, when the feed ranks them. */
  rank: number | null;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export interface SenProvision {
  code: string | null;
  description: string | null;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

/** Session counts as the MIS reports them (Xporter `AttStats`); percentages are derived later. */
export interface AttendanceStatistics {
  startDate: IsoDate | null;
  possible: number;
  present: number;
  approvedEducationalActivity: number;
  authorisedAbsence: number;
  unauthorisedAbsence: number;
  missing: number;
  late: number;
  lateBeforeRegisterClosed: number;
}

export type VulnerabilityKind =
  | 'child_protection_plan'
  | 'child_in_need'
  | 'looked_after'
  | 'previously_looked_after'
  | 'sen_support'
  | 'ehcp'
  | 'fsm'
  | 'pupil_premium'
  | 'eal'
  | 'young_carer';

export interface VulnerabilityFlag {
  kind: VulnerabilityKind;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export type Photo =
  { kind: 'base64'; mimeType: string | null; data: string } | { kind: 'url'; url: string };

export interface Pupil {
  misId: string;
  upn: string | null;
  uln: string | null;
  admissionNumber: string | null;
  forename: string;
  surname: string;
  middleNames: string | null;
  legalForename: string | null;
  legalSurname: string | null;
  /** Preferred / display name as the MIS formats it, if it sends one. */
  displayName: string | null;
  dateOfBirth: IsoDate | null;
  gender: string | null;
  entryDate: IsoDate | null;
  leavingDate: IsoDate | null;
  /** National-curriculum year as the MIS states it (`R`, `7`, `N2`...). */
  yearGroup: string | null;
  senStatus: string | null;
  senNeeds: SenNeed[];
  senProvisions: SenProvision[];
  fsmEligible: boolean | null;
  fsmEndDate: IsoDate | null;
  pupilPremium: boolean | null;
  eal: boolean | null;
  gifted: boolean | null;
  religion: CodedValue;
  ethnicity: CodedValue;
  firstLanguage: CodedValue;
  address: Address | null;
  attendance: AttendanceStatistics | null;
  siblingMisIds: string[];
  photo: Photo | null;
  flags: VulnerabilityFlag[];
  /**
   * The kinds of flag this record speaks about (a yes, a no, or a list of date ranges, even an
   * empty one). The sync replaces the MIS's flags of these kinds only: a delta, or a feed without
   * a young-carer field, leaves the flags it says nothing about. Absent: every kind (a snapshot
   * built in code, not read from a feed).
   */
  statedFlags?: VulnerabilityKind[] | undefined;
}

export const VULNERABILITY_KINDS: readonly VulnerabilityKind[] = [
  'child_protection_plan',
  'child_in_need',
  'looked_after',
  'previously_looked_after',
  'sen_support',
  'ehcp',
  'fsm',
  'pupil_premium',
  'eal',
  'young_carer',
];

export type PhoneKind = 'home' | 'work' | 'mobile' | 'other';
export type EmailKind = 'home' | 'work' | 'other';

export interface ContactPupilLink {
  pupilMisId: string;
  relationship: string | null;
  /** 1 is the first person to call. */
  priority: number | null;
  parentalResponsibility: boolean | null;
  livesWithPupil: boolean | null;
  /** The MIS says a court order applies; Lantern's own overrides are kept separately. */
  courtOrder: boolean | null;
}

export interface Contact {
  misId: string;
  title: string | null;
  forename: string;
  surname: string;
  legalForename: string | null;
  legalSurname: string | null;
  addresses: Address[];
  phones: { kind: PhoneKind; number: string }[];
  emails: { kind: EmailKind; address: string }[];
  pupils: ContactPupilLink[];
}

export interface StaffMember {
  misId: string;
  title: string | null;
  forename: string;
  surname: string;
  legalForename: string | null;
  legalSurname: string | null;
  email: string | null;
}

export type GroupKind = 'year' | 'registration' | 'teaching' | 'other';

export interface Group {
  misId: string;
  name: string;
  kind: GroupKind;
  /** The feed's own type label, kept for display and for mapping questions later. */
  sourceType: string | null;
}

export interface Membership {
  groupMisId: string;
  memberKind: 'pupil' | 'staff';
  memberMisId: string;
}

/** How a mark counts, in the DfE's statistical categories. */
export type AttendanceCategory =
  | 'present'
  | 'approved_educational_activity'
  | 'authorised_absence'
  | 'unauthorised_absence'
  | 'late'
  | 'not_required'
  | 'no_mark'
  | 'unknown';

export interface AttendanceCode {
  code: string;
  description: string | null;
  meaning: string | null;
  physicalMeaning: string | null;
  category: AttendanceCategory;
}

export type Session = 'AM' | 'PM';

export interface AttendanceMark {
  pupilMisId: string;
  date: IsoDate;
  session: Session;
  code: string;
}

export type DeletionEntity = 'pupil' | 'contact' | 'staff' | 'group';

/** A record the feed says came back (Wonde `deletions` with `restored_at` set): un-archive it. */
export interface Restoration {
  entity: DeletionEntity;
  misId: string;
}

export interface Deletion {
  entity: DeletionEntity;
  misId: string;
  /** `left`: a leaver to archive; `deleted`: the MIS removed the record. */
  reason: 'left' | 'deleted';
  date: IsoDate | null;
}

/**
 * A validated snapshot. Everything but attendance marks is held in memory; marks are streamed
 * from the files each time `attendanceMarks()` is called, and validated as they stream, so a
 * consumer must treat a throw mid-stream as a rejected run (roll back its transaction).
 */
export interface Snapshot {
  format: MisFormat;
  kind: SnapshotKind;
  pupils: Pupil[];
  contacts: Contact[];
  staff: StaffMember[];
  groups: Group[];
  memberships: Membership[];
  attendanceCodes: AttendanceCode[];
  deletions: Deletion[];
  /** Records the feed restored after deleting them; never archived by this run. */
  restorations: Restoration[];
  /** A token to ask the feed for the next changes (Xporter `NextChangedRows`), if it gave one. */
  nextCursor: string | null;
  /** The text encoding the files were read as, where the reader detects it (a SIMS report). */
  encoding?: string | undefined;
  attendanceMarks(): AsyncIterable<AttendanceMark>;
}

/**
 * A rejected input. The message names the file, the record (index from 0 and its id) and the
 * field so an administrator can find it in the MIS; it never echoes more than a short excerpt.
 */
export class MisFormatError extends Error {
  readonly file: string;
  readonly record: number | null;
  readonly recordId: string | null;
  readonly field: string | null;
  readonly reason: string;

  constructor(
    file: string,
    where: { record?: number | null; recordId?: string | null; field?: string | null },
    reason: string,
  ) {
    const record = where.record ?? null;
    const recordId = where.recordId ?? null;
    const field = where.field ?? null;
    let place = file;
    if (record !== null) place += ` record ${record}`;
    if (recordId !== null) place += ` (id ${recordId})`;
    super(`${place}: ${field === null ? '' : `${field} `}${reason}`);
    this.name = 'MisFormatError';
    this.file = file;
    this.record = record;
    this.recordId = recordId;
    this.field = field;
    this.reason = reason;
  }
}
