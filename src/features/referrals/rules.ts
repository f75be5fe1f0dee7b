// A referral's clock, pure and unit-tested (rules.test.ts): when a response is due, and whether
// the referral is awaiting, overdue, responded or closed at a given moment. Decided here at the
// moment of reading, so `overdue` is the same everywhere a referral appears.
import type { ReferralStatus } from '../../shared/schemas/referrals.ts';

export interface ReferralTiming {
  referredAt: Date;
  respondedAt: Date | null;
  closedAt: Date | null;
}

const HOUR_MS = 60 * 60 * 1000;

/** When a response is due, or null when the agency type has no expected response time. */
export function referralDueAt(
  referral: ReferralTiming,
  expectedResponseHours: number | null,
): Date | null {
  if (expectedResponseHours === null) return null;
  return new Date(referral.referredAt.getTime() + expectedResponseHours * HOUR_MS);
}

/**
 * Closed wins over responded, responded over overdue. Overdue from the moment the expected response
 * time has passed (inclusive) with no response recorded.
 */
export function referralStatus(
  referral: ReferralTiming,
  now: Date,
  expectedResponseHours: number | null,
): ReferralStatus {
  if (referral.closedAt !== null) return 'closed';
  if (referral.respondedAt !== null) return 'responded';
  const due = referralDueAt(referral, expectedResponseHours);
  return due !== null && now.getTime() >= due.getTime() ? 'overdue' : 'awaiting';
}
