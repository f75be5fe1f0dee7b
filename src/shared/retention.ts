// The retention schedule's vocabulary and the seeded English schedule (issue 15), shared by the
// server's rules (src/features/retention/) and the pages that show and change them. Periods follow
// the IRMS Information Management Toolkit for Schools and KCSIE. No Node, no database.

/** Each kind of record the schedule gives a rule. */
export const RETENTION_KINDS = [
  'cp_pupil',
  'transferred_file',
  'staff_allegation',
  'staff_allegation_malicious',
  'staff_low_level',
  'sar_breach',
  'mis_leaver',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** What happens when a record's date comes. */
export const RETENTION_ACTIONS = ['review', 'destroy', 'anonymise'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** The date a rule counts from. */
export const RETENTION_TRIGGERS = [
  'date_of_birth',
  /** The later of the member's normal pension age and the allegation's date + the period. */
  'pension_age_or_allegation',
  'finding',
  'leaving',
  'closure',
] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

/** What a school keeps of a child-protection file it has transferred to the next school. */
export const TRANSFER_KEEPS = ['nothing', 'sealed_copy', 'chronology_only'] as const;
export type TransferKeeps = (typeof TRANSFER_KEEPS)[number];

/** The legal matters a hold may be placed for. */
export const HOLD_MATTERS = [
  'litigation',
  'police',
  'public_inquiry',
  'subject_access',
  'other',
] as const;
export type HoldMatter = (typeof HOLD_MATTERS)[number];

export const HOLD_SCOPES = ['pupil', 'category', 'date_range', 'record'] as const;
export type HoldScope = (typeof HOLD_SCOPES)[number];

export type RetentionRuleSpec = {
  kind: RetentionKind;
  trigger: RetentionTrigger;
  years: number;
  action: RetentionAction;
  /** The fewest years a school may set, and why (shown when a lower period is refused). */
  minYears: number;
  minReason: string;
  /** Whether the school may change the period at all. */
  schoolSet: boolean;
  transferKeeps?: TransferKeeps;
};

/** The most years any rule may run: beyond a lifetime, a period is a mistake. */
export const RETENTION_MAX_YEARS = 100;

const NO_FLOOR = 'A period cannot be negative.';

/** The schedule a new English school starts with. */
export const DEFAULT_SCHEDULE: Readonly<Record<RetentionKind, RetentionRuleSpec>> = {
  cp_pupil: {
    kind: 'cp_pupil',
    trigger: 'date_of_birth',
    years: 25,
    action: 'review',
    minYears: 25,
    minReason:
      "Child-protection records are kept at least until the pupil's 25th birthday (IRMS toolkit).",
    schoolSet: true,
  },
  transferred_file: {
    kind: 'transferred_file',
    trigger: 'date_of_birth',
    years: 25,
    action: 'review',
    minYears: 0,
    minReason: NO_FLOOR,
    schoolSet: true,
    transferKeeps: 'sealed_copy',
  },
  staff_allegation: {
    kind: 'staff_allegation',
    trigger: 'pension_age_or_allegation',
    years: 10,
    action: 'review',
    minYears: 10,
    minReason:
      "Allegations about staff are kept at least 10 years from the allegation, or to the member's " +
      'normal pension age if later (IRMS toolkit).',
    schoolSet: true,
  },
  staff_allegation_malicious: {
    kind: 'staff_allegation_malicious',
    trigger: 'finding',
    years: 0,
    action: 'anonymise',
    minYears: 0,
    minReason: NO_FLOOR,
    schoolSet: false,
  },
  staff_low_level: {
    kind: 'staff_low_level',
    trigger: 'leaving',
    years: 0,
    action: 'review',
    minYears: 0,
    minReason: NO_FLOOR,
    schoolSet: true,
  },
  sar_breach: {
    kind: 'sar_breach',
    trigger: 'closure',
    years: 6,
    action: 'destroy',
    minYears: 0,
    minReason: NO_FLOOR,
    schoolSet: true,
  },
  mis_leaver: {
    kind: 'mis_leaver',
    trigger: 'leaving',
    years: 1,
    action: 'destroy',
    minYears: 0,
    minReason: NO_FLOOR,
    schoolSet: true,
  },
};
