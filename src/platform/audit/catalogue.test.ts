// The catalogue is a compile-time contract: the @ts-expect-error lines below fail the type check
// (`npm test` runs tsc) the day a wrong event or a wrong detail would compile.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditEvent } from './catalogue.ts';

describe('audit catalogue', () => {
  it('lists every event once', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(AUDIT_ACTIONS).toContain('concern.viewed');
    expect(AUDIT_ACTIONS).toContain('mis.sync_applied');
  });

  it('types each event with its own details', () => {
    const good: AuditEvent[] = [
      { action: 'concern.viewed', targetType: 'concern', targetId: 'c1' },
      {
        action: 'referral.created',
        targetType: 'referral',
        targetId: 'r1',
        details: { pupil: 'p1' },
      },
      { action: 'auth.second_factor_added', details: { method: 'totp' } },
    ];
    const bad: AuditEvent[] = [
      // @ts-expect-error an event that is not in the catalogue
      { action: 'concern.deleted' },
      // @ts-expect-error details the event does not declare (nothing may be smuggled in)
      { action: 'concern.viewed', details: { text: 'record text' } },
      // @ts-expect-error an event with details must give them
      { action: 'referral.created', targetId: 'r1' },
      // @ts-expect-error a detail of the wrong type
      { action: 'auth.second_factor_added', details: { method: 'sms' } },
    ];
    expect(good.every((e) => AUDIT_ACTIONS.includes(e.action))).toBe(true);
    expect(bad.filter((e) => AUDIT_ACTIONS.includes(e.action))).toHaveLength(3);
  });
});
