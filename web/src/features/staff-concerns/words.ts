// The words the pages of concerns about adults (issue 19) show for the server's codes.
import type {
  Classification,
  Outcome,
  RoutedTo,
  SubjectKind,
} from '../../../../src/shared/schemas/staff-concerns.ts';

export const ROUTED_TO_NAMES: Record<RoutedTo, string> = {
  headteacher: 'the headteacher',
  chair: 'the chair of governors',
};

export const SUBJECT_KIND_NAMES: Record<SubjectKind, string> = {
  staff: 'Member of staff',
  supply: 'Supply worker',
  agency: 'Agency worker',
  volunteer: 'Volunteer',
  contractor: 'Contractor',
  governor: 'Governor',
};

export const CLASSIFICATION_NAMES: Record<Classification, string> = {
  low_level: 'Low-level concern',
  possibly_meets_threshold: 'Possibly meets the harm threshold',
  not_a_concern: 'Not a concern (conduct appropriate)',
};

export const OUTCOME_NAMES: Record<Outcome, string> = {
  substantiated: 'Substantiated',
  false: 'False',
  malicious: 'Malicious',
  unsubstantiated: 'Unsubstantiated',
  unfounded: 'Unfounded',
};

/** KCSIE's meaning of each outcome, shown beside the choice. */
export const OUTCOME_HINTS: Record<Outcome, string> = {
  substantiated: 'there is sufficient evidence to prove the allegation',
  false: 'there is sufficient evidence to disprove the allegation',
  malicious: 'there is clear evidence of a deliberate act to deceive or cause harm',
  unsubstantiated: 'there is insufficient evidence either to prove or disprove the allegation',
  unfounded: 'there is no evidence or proper basis to support the allegation',
};

/** The audit trail's actions in words (the area's own; any other shows as its code). */
export const ACTION_NAMES: Record<string, string> = {
  'staff_concerns.raised': 'Raised',
  'staff_concerns.viewed': 'Opened',
  'staff_concerns.triaged': 'Triaged',
  'staff_concerns.lado_contact_recorded': 'Recorded the LADO contact',
  'staff_concerns.outcome_recorded': 'Recorded the outcome',
  'staff_concerns.copy_given': 'Recorded the copy given',
  'staff_concerns.pupil_linked': 'Linked a pupil',
  'staff_concerns.alerted': 'Alerted the case manager',
  'staff_concerns.leaving_recorded': 'Recorded when they left',
  'staff_concerns.pupils_found': 'Looked up pupils to link',
  'staff_concerns.retention_due': 'Due for its retention decision',
  'staff_concerns.retention_kept': 'Kept past its retention date',
  'staff_concerns.destruction_approved': 'Approved its destruction',
  'staff_concerns.destroyed': 'Destroyed',
  'staff_concerns.markers_viewed': 'Read a pupil’s marker',
};
