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
