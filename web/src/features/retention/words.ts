// The words the retention pages use for the schedule's and holds' codes (issue 15).
import type {
  HoldMatter,
  HoldScope,
  RetentionAction,
  RetentionKind,
  RetentionTrigger,
  TransferKeeps,
} from '../../../../src/shared/retention.ts';

export const KIND_NAMES = {
  cp_pupil: 'Child-protection and safeguarding records about a pupil',
  transferred_file: 'Files of pupils who left, once transferred to the next school',
  staff_allegation: 'Allegations against staff',
  staff_allegation_malicious: 'Allegations against staff found false or malicious',
  staff_low_level: 'Low-level concerns about staff',
  sar_breach: 'Subject-access and breach records',
  mis_leaver: 'MIS data of pupils and contacts who left, with no safeguarding record',
} satisfies Record<RetentionKind, string>;

export const TRIGGER_NAMES = {
  date_of_birth: 'after the pupil’s date of birth',
  pension_age_or_allegation:
    'after the allegation, or to the member’s normal pension age if that is later',
  finding: 'after the finding',
  leaving: 'after the leaving date',
  closure: 'after closure',
} satisfies Record<RetentionTrigger, string>;

export const ACTION_NAMES = {
  review: 'Review',
  destroy: 'Destroy',
  anonymise: 'Anonymise',
} satisfies Record<RetentionAction, string>;

export const KEEPS_NAMES = {
  nothing: 'Nothing',
  sealed_copy: 'A sealed copy, to date of birth + 25 years',
  chronology_only: 'The chronology only',
} satisfies Record<TransferKeeps, string>;

export const MATTER_NAMES = {
  litigation: 'Litigation',
  police: 'Police investigation',
  public_inquiry: 'Public inquiry',
  subject_access: 'Open subject-access request',
  other: 'Other',
} satisfies Record<HoldMatter, string>;

export const SCOPE_NAMES = {
  pupil: 'A pupil’s records',
  category: 'A category’s records',
  date_range: 'Records of a date range',
  record: 'One record',
} satisfies Record<HoldScope, string>;

export const CAPACITY_NAMES = {
  dsl_team: 'DSL team',
  headteacher: 'headteacher',
  dpo: 'data-protection officer',
} as const;
