import type { ChangeState, MedicalKind } from '../../../../src/shared/medical.ts';

export const KIND_TITLES: Record<MedicalKind, string> = {
  condition: 'Conditions',
  medication: 'Medications',
  allergy: 'Allergies',
  dietary: 'Dietary needs',
};
export const KIND_NAMES: Record<MedicalKind, string> = {
  condition: 'Condition',
  medication: 'Medication',
  allergy: 'Allergy',
  dietary: 'Dietary need',
};
export const STATE_NAMES: Record<ChangeState, string> = {
  current: 'Confirmed',
  awaiting_parent: "Waiting for the parent's confirmation",
  awaiting_staff: 'Waiting for staff to acknowledge',
  superseded: 'Replaced',
  declined: 'Declined',
};
