import { describe, expect, it } from 'vitest';
import { icoDueAt, isLate } from './clock.ts';

describe('the 72-hour breach clock', () => {
  it('counts weekends: aware Friday 16:00 is due Monday 16:00', () => {
    // Friday 5 December 2025, 16:00 in London (GMT).
    const aware = new Date('2025-12-05T16:00:00Z');
    expect(icoDueAt(aware).toISOString()).toBe('2025-12-08T16:00:00.000Z');
    expect(isLate(aware, new Date('2025-12-08T16:00:00Z'))).toBe(false);
    expect(isLate(aware, new Date('2025-12-08T16:00:01Z'))).toBe(true);
  });

  it('counts bank holidays too: aware Thu 24 Dec 2026 09:00 is due Sun 27 Dec 09:00', () => {
    expect(icoDueAt(new Date('2026-12-24T09:00:00Z')).toISOString()).toBe(
      '2026-12-27T09:00:00.000Z',
    );
  });
});
