// The words the case pages use for the server's codes: a word for each of its statuses
// (CASE_STATUSES in src/shared/schemas/cases.ts).
import type { CaseStatus } from '../../../../src/shared/schemas/cases.ts';
import { words } from '../../lib/format.ts';

const CASE_STATUS: Record<string, string> = {
  open: 'Open',
  closed: 'Closed',
  no_further_action: 'No further action',
} satisfies Record<CaseStatus, string>;

const CASE_EVENTS: Record<string, string> = {
  opened: 'Case opened',
  joined: 'Concern added to the case',
  closed: 'Case closed',
  no_further_action: 'No further action',
  reopened: 'Case reopened',
  owner_changed: 'New case owner',
  review_date_changed: 'Review date changed',
};

export const caseStatusLabel = (s: string) => CASE_STATUS[s] ?? words(s);
export const caseEventLabel = (s: string) => CASE_EVENTS[s] ?? words(s);
