import { describe, expect, it } from 'vitest';
import { checkContent, dayOfDate, reminderDueOn } from './rules.ts';
import { cardsExpireAt } from '../trips/policy.ts';

describe('plan expiry reminders', () => {
  it('falls due 28 days before the expiry and every 7 days after it (30 Sep → 2 Sep, 7 Oct, 14 Oct)', () => {
    const due = (today: string) => reminderDueOn('2026-09-30', today);
    expect(due('2026-09-01')).toBeNull();
    expect(due('2026-09-02')).toBe('2026-09-02');
    expect(due('2026-09-30')).toBe('2026-09-02');
    expect(due('2026-10-06')).toBe('2026-09-02');
    expect(due('2026-10-07')).toBe('2026-10-07');
    expect(due('2026-10-13')).toBe('2026-10-07');
    expect(due('2026-10-14')).toBe('2026-10-14');
    expect(due('2026-10-21')).toBe('2026-10-21');
  });
});

describe('entry content', () => {
  it('asks each kind for what it needs', () => {
    expect(() => checkContent('condition', { name: 'Asthma' })).toThrow(/risk level/);
    expect(() => checkContent('medication', { name: 'Inhaler', dose: '2 puffs' })).toThrow(/when/);
    expect(() => checkContent('allergy', { name: 'Peanuts' })).toThrow(/severity/);
    expect(() => checkContent('dietary', { name: 'Halal' })).not.toThrow();
    expect(() => checkContent('condition', { name: 'Asthma', riskLevel: 'high' })).not.toThrow();
  });
});

describe('days in England', () => {
  it("today is England's date, not UTC's (half past midnight in summer is already tomorrow)", () => {
    expect(dayOfDate(new Date('2027-07-10T23:30:00Z'))).toBe('2027-07-11');
    expect(dayOfDate(new Date('2027-01-10T23:30:00Z'))).toBe('2027-01-10');
  });
  it('trip cards expire at midnight in England a day after the last day', () => {
    expect(cardsExpireAt('2027-07-10').toISOString()).toBe('2027-07-11T23:00:00.000Z');
    expect(cardsExpireAt('2027-01-10').toISOString()).toBe('2027-01-12T00:00:00.000Z');
    // The clocks go forward on 28 March 2027: the 29th starts at 23:00 UTC on the 28th.
    expect(cardsExpireAt('2027-03-27').toISOString()).toBe('2027-03-28T23:00:00.000Z');
  });
});
