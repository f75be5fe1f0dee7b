// Whom a conversation was with and the decisions taken in one, in the form's words: one for each
// of the server's (src/shared/schemas/conversations.ts).
import type { Decision, WithWhom } from '../../../../src/shared/schemas/conversations.ts';
import type { Choice } from '../../lib/format.ts';

const WITH_WHOM_NAMES = {
  parent: 'Parent',
  carer: 'Carer',
  child: 'The child',
  family: 'The family',
  professional: 'Another professional',
  other: 'Someone else',
} satisfies Record<WithWhom, string>;

const DECISION_NAMES = {
  early_help_assessment: 'Start an Early Help Assessment',
  referral: 'Make a referral',
  monitor: 'Monitor',
  no_further_action: 'No further action',
  other: 'Another decision',
} satisfies Record<Decision, string>;

export const WITH_WHOM: readonly Choice[] = Object.entries(WITH_WHOM_NAMES);
export const DECISIONS: readonly Choice[] = Object.entries(DECISION_NAMES);
