import { describe, it, expect } from 'vitest';
import { parseOptions } from '@node-rs/argon2';
import {
  ARGON2_PARAMS,
  checkPassword,
  defaultPasswordPolicy,
  hashPassword,
  isPasswordExpired,
  isReused,
  needsRehash,
  passwordExpiresAt,
  passwordStrength,
  verifyPassword,
} from './password-policy.ts';
import type { PasswordPolicy } from './password-policy.ts';

const user = { email: 'sarah.okafor@school.example', name: 'Sarah Okafor' };
const policy: PasswordPolicy = { ...defaultPasswordPolicy };
const GOOD = 'lantern-Otter-91-ribbon';

describe('defaultPasswordPolicy', () => {
  it('matches the seeds: 12 characters, composition, common check, 5 history, 60 days', () => {
    expect(defaultPasswordPolicy).toEqual({
      minLength: 12,
      requireComposition: true,
      checkCommon: true,
      historyCount: 5,
      expiryDays: 60,
    });
  });
});

describe('checkPassword', () => {
  it('accepts a long, uncommon password with letters, digits and a symbol', () => {
    expect(checkPassword(policy, GOOD, user)).toEqual([]);
  });

  it('refuses a password shorter than the minimum', () => {
    const failures = checkPassword(policy, 'Ab1!xyzQ', user);
    expect(failures).toContain('Use at least 12 characters.');
  });

  it('never enforces a minimum below 8, whatever the school sets', () => {
    const lax = { ...policy, minLength: 4, checkCommon: false };
    expect(checkPassword(lax, 'Zq7!', user)).toContain('Use at least 8 characters.');
  });

  it('refuses absurdly long passwords', () => {
    expect(checkPassword(policy, `${'x9!'.repeat(100)}`, user)).toContain(
      'Use at most 256 characters.',
    );
  });

  it('names each missing character class when composition is required', () => {
    expect(checkPassword(policy, 'ribbonotterlanternmoss', user)).toContain(
      'Include a digit and a symbol.',
    );
    expect(checkPassword(policy, '4729-1836-5501', user)).toContain('Include a letter.');
  });

  it('does not require composition when the school turns it off', () => {
    const noComposition = { ...policy, requireComposition: false };
    expect(checkPassword(noComposition, 'ribbon otter lantern moss', user)).toEqual([]);
  });

  it('refuses common and breached passwords, even decorated or l33t', () => {
    for (const pw of ['Password123!', 'P@ssw0rd1234', 'iloveyou123!', 'Liverpool1892!']) {
      expect(checkPassword(policy, pw, user), pw).toContain(
        'This password is on a list of common or breached passwords.',
      );
    }
  });

  it('refuses easily guessed passwords that are not literally on the list', () => {
    expect(checkPassword(policy, 'qwertyuiop1!', user).length).toBeGreaterThan(0);
    expect(checkPassword(policy, 'aaaaaaaaaaa1!', user)).toContain(
      'This password is too easy to guess. Try a few unrelated words together.',
    );
  });

  it('skips the common check when the school turns it off', () => {
    expect(checkPassword({ ...policy, checkCommon: false }, 'Password123!', user)).toEqual([]);
  });

  it("refuses a password containing the user's name or email", () => {
    const message = 'Do not use your name or email address in your password.';
    expect(checkPassword(policy, 'Okafor-2024-rocks!', user)).toContain(message);
    expect(checkPassword(policy, 'x9!sarah.okafor#Q', user)).toContain(message);
    expect(checkPassword(policy, GOOD, user)).not.toContain(message);
  });
});

describe('passwordStrength', () => {
  it('scores weak passwords low and strong ones high, with feedback', () => {
    const weak = passwordStrength('password');
    expect(weak.score).toBe(0);
    expect(weak.warning).toBeTruthy();
    expect(passwordStrength('correct horse battery staple').score).toBe(4);
  });

  it('treats the user inputs as guessable', () => {
    const without = passwordStrength('okaforsarah');
    const withInputs = passwordStrength('okaforsarah', ['sarah', 'okafor']);
    expect(withInputs.score).toBeLessThanOrEqual(without.score);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('hashes with Argon2id at no less than OWASP parameters', async () => {
    const stored = await hashPassword(GOOD);
    expect(stored.startsWith('$argon2id$')).toBe(true);
    const o = parseOptions(stored);
    expect(o.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(o.timeCost).toBeGreaterThanOrEqual(2);
    expect(o.parallelism).toBe(ARGON2_PARAMS.parallelism);
    expect(needsRehash(stored)).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword(GOOD);
    expect(await verifyPassword(stored, GOOD)).toBe(true);
    expect(await verifyPassword(stored, `${GOOD}x`)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword(GOOD)).not.toBe(await hashPassword(GOOD));
  });

  it('normalises Unicode so composed and decomposed forms match', async () => {
    const stored = await hashPassword('caf\u00e9-Otter-91-ribbon');
    expect(await verifyPassword(stored, 'cafe\u0301-Otter-91-ribbon')).toBe(true);
  });

  it('returns false, not an exception, for a malformed stored hash', async () => {
    expect(await verifyPassword('not-a-hash', GOOD)).toBe(false);
    expect(needsRehash('not-a-hash')).toBe(true);
  });

  it('asks for a re-hash when the stored hash used weaker parameters', () => {
    // m=4096,t=1: a hash made with parameters below the floor.
    const weak =
      '$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI';
    expect(needsRehash(weak)).toBe(true);
  });
});

describe('isReused', () => {
  it('finds the password among the last N hashes only', async () => {
    const hashes = await Promise.all(['one-Otter-91!', 'two-Otter-91!', GOOD].map(hashPassword));
    // newest first: 'one-…' is the current password, GOOD the oldest of the three
    const newestFirst = hashes;
    expect(await isReused(GOOD, newestFirst, 3)).toBe(true);
    expect(await isReused(GOOD, newestFirst, 2)).toBe(false);
    expect(await isReused('one-Otter-91!', newestFirst, 1)).toBe(true);
    expect(await isReused('never-used-42!', newestFirst, 5)).toBe(false);
    expect(await isReused(GOOD, newestFirst, 0)).toBe(false);
  });
});

describe('password expiry', () => {
  const changedAt = new Date('2025-01-01T00:00:00Z');

  it('expires after the school-set number of days', () => {
    expect(passwordExpiresAt(policy, changedAt)?.toISOString()).toBe('2025-03-02T00:00:00.000Z');
    expect(isPasswordExpired(policy, changedAt, new Date('2025-03-01T23:59:59Z'))).toBe(false);
    expect(isPasswordExpired(policy, changedAt, new Date('2025-03-02T00:00:00Z'))).toBe(true);
  });

  it('never expires when expiryDays is 0', () => {
    const never = { ...policy, expiryDays: 0 };
    expect(passwordExpiresAt(never, changedAt)).toBeNull();
    expect(isPasswordExpired(never, changedAt, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });
});
