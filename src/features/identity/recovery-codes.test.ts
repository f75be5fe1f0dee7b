import { describe, it, expect } from 'vitest';
import {
  RECOVERY_CODE_BITS,
  generateRecoveryCodes,
  hashRecoveryCode,
  normaliseRecoveryCode,
  verifyRecoveryCode,
} from './recovery-codes.ts';

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);

describe('generateRecoveryCodes', () => {
  it('makes ten distinct, readable codes of at least 60 bits', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes)
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(60);
    expect(hashes).toHaveLength(10);
  });

  it('stores only keyed hashes, never the codes', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    for (const [i, h] of hashes.entries()) {
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(h).not.toContain(normaliseRecoveryCode(codes[i] ?? ''));
    }
  });

  it('refuses a short key', () => {
    expect(() => generateRecoveryCodes('too short')).toThrow(/at least 32 bytes/);
  });
});

describe('verifyRecoveryCode', () => {
  it('returns the index of the matching code', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    expect(verifyRecoveryCode(codes[3] ?? '', hashes, key)).toBe(3);
    expect(verifyRecoveryCode(codes[0] ?? '', hashes, key)).toBe(0);
  });

  it('normalises case, dashes, spaces and look-alike letters', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    const code = codes[5] ?? '';
    expect(verifyRecoveryCode(code.toUpperCase(), hashes, key)).toBe(5);
    expect(verifyRecoveryCode(code.replace(/-/g, ' '), hashes, key)).toBe(5);
    expect(verifyRecoveryCode(` ${code.replace(/-/g, '')} `, hashes, key)).toBe(5);
    const typedWithLookAlikes = code.replace(/0/g, 'O').replace(/1/g, 'l');
    expect(verifyRecoveryCode(typedWithLookAlikes, hashes, key)).toBe(5);
  });

  it('refuses a code used once (its slot set to null by the caller)', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    const stored: (string | null)[] = [...hashes];
    const index = verifyRecoveryCode(codes[2] ?? '', stored, key);
    expect(index).toBe(2);
    stored[index ?? -1] = null;
    expect(verifyRecoveryCode(codes[2] ?? '', stored, key)).toBeNull();
    expect(verifyRecoveryCode(codes[4] ?? '', stored, key)).toBe(4);
  });

  it('refuses unknown, malformed and other-key codes', () => {
    const { codes, hashes } = generateRecoveryCodes(key);
    expect(verifyRecoveryCode('0000-0000-0000', hashes, key)).toBeNull();
    expect(verifyRecoveryCode('', hashes, key)).toBeNull();
    expect(verifyRecoveryCode('uuuu-uuuu-uuuu', hashes, key)).toBeNull();
    expect(verifyRecoveryCode(`${codes[0] ?? ''}x`, hashes, key)).toBeNull();
    expect(verifyRecoveryCode(codes[0] ?? '', hashes, otherKey)).toBeNull();
    expect(verifyRecoveryCode(codes[0] ?? '', ['garbage', null], key)).toBeNull();
  });

  it('hashes the canonical form, so any spelling of a code hashes the same', () => {
    expect(hashRecoveryCode('AB12-cd34-EF56', key)).toBe(hashRecoveryCode('ab12cd34ef56', key));
  });
});
