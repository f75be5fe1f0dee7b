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

/**
 * "Within 24 hours", "Within 14 days": an agency's expected response time in words. It is stored
 * in hours (agencies set it so); two days and more read in days ("within 336 hours" is read by no
 * one), a whole number of days where it is one, else days and hours.
 */
export function responseTimeText(hours: number | null): string {
  if (hours === null) return 'No expected response time';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (hours < 48) return `Within ${plural(hours, 'hour')}`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return `Within ${plural(days, 'day')}${rest ? ` and ${plural(rest, 'hour')}` : ''}`;
}
