import { describe, it, expect } from 'vitest';
import { referralDueAt, referralStatus } from './rules.ts';

describe('referralStatus', () => {
  const referredAt = new Date('2025-03-10T09:00:00Z');
  const base = { referredAt, respondedAt: null, closedAt: null };
  const hoursLater = (h: number) => new Date(referredAt.getTime() + h * 3600_000);

  it('is awaiting until the expected response time, then overdue', () => {
    expect(referralStatus(base, hoursLater(23.9), 24)).toBe('awaiting');
    expect(referralStatus(base, hoursLater(24), 24)).toBe('overdue');
    expect(referralDueAt(base, 24)).toEqual(hoursLater(24));
  });

  it('is responded once a response is recorded, even late, and closed wins', () => {
    expect(referralStatus({ ...base, respondedAt: hoursLater(30) }, hoursLater(40), 24)).toBe(
      'responded',
    );
    const closed = { ...base, respondedAt: hoursLater(2), closedAt: hoursLater(5) };
    expect(referralStatus(closed, hoursLater(40), 24)).toBe('closed');
  });

  it('never goes overdue when the agency has no expected time', () => {
    expect(referralStatus(base, hoursLater(10_000), null)).toBe('awaiting');
    expect(referralDueAt(base, null)).toBeNull();
  });
});
