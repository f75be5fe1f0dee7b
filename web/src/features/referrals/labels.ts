// The words the referral pages use: kinds of follow-up, statuses, and an agency's expected
// response time.
// One word for each of the server's kinds and statuses (src/shared/schemas/referrals.ts).
import type { FollowupKind, ReferralStatus } from '../../../../src/shared/schemas/referrals.ts';
import { words, type Choice } from '../../lib/format.ts';

const FOLLOWUP_KIND_NAMES = {
  letter: 'Letter',
  call: 'Phone call',
  email: 'Email',
  meeting: 'Meeting',
  response: 'Response from the agency',
  other: 'Other',
} satisfies Record<FollowupKind, string>;

export const FOLLOWUP_KINDS: readonly Choice[] = Object.entries(FOLLOWUP_KIND_NAMES);

const REFERRAL_STATUS: Record<string, string> = {
  awaiting: 'Awaiting a response',
  overdue: 'Response overdue',
  responded: 'Response received',
  closed: 'Closed',
} satisfies Record<ReferralStatus, string>;

export const referralStatusLabel = (s: string) => REFERRAL_STATUS[s] ?? words(s);

/** "within 24 hours", "within 2 weeks": an agency's expected response time in words. */
export function responseTimeText(hours: number | null): string {
  if (hours === null) return 'No expected response time';
  if (hours % 168 === 0) return `Within ${hours / 168} week${hours === 168 ? '' : 's'}`;
  if (hours % 24 === 0 && hours >= 48) return `Within ${hours / 24} days`;
  return `Within ${hours} hour${hours === 1 ? '' : 's'}`;
}
