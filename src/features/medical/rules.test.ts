import { describe, expect, it } from 'vitest';
import { checkContent, reminderDueOn } from './rules.ts';

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
