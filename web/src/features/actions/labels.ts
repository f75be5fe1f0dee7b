// The kinds of action in the words the forms and lists use, one for each of the server's kinds
// (ACTION_TYPES in src/shared/schemas/actions.ts: a new kind does not compile until named here).
import type { ActionType } from '../../../../src/shared/schemas/actions.ts';
import type { Choice } from '../../lib/format.ts';

const ACTION_TYPE_NAMES = {
  phone_call: 'Phone call',
  meeting: 'Meeting',
  letter: 'Letter',
  note: 'Note',
  decision: 'Decision',
  referral: 'Referral',
} satisfies Record<ActionType, string>;

export const ACTION_TYPES: readonly Choice[] = Object.entries(ACTION_TYPE_NAMES);
