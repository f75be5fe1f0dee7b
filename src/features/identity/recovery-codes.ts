// Single-use recovery codes: the way back in when a member of staff loses their authenticator.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/**
 * Crockford's base32 alphabet: no I, L, O or U, so nothing is ambiguous when read aloud or
 * copied from paper; typed I/L and O are read as 1 and 0. 32 symbols, so each is 5 bits.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 4;
/** 12 symbols × 5 bits = 60 bits of entropy per code. */
export const RECOVERY_CODE_BITS = GROUPS * GROUP_LENGTH * 5;
const MIN_KEY_BYTES = 32;

/**
 * Why HMAC-SHA-256 and not Argon2: each code is 60 random bits, not a human-chosen secret, so a
 * slow hash adds nothing an attacker's dictionary could be slowed on — there is no dictionary.
 * The key (a pepper) is held outside the database (derive it from the application's key
 * material), so a stolen table alone cannot be tested against at all; and verifying against ten
 * codes stays fast enough to do in constant time on every attempt. Online guessing is stopped by
 * the sign-in rate limits (2^60 guesses are out of reach anyway).
 */
export type RecoveryKey = Uint8Array | string;

export interface RecoveryCodeSet {
  /** Shown to the user once, then forgotten. */
  codes: string[];
  /** Stored; same order as `codes`. */
  hashes: string[];
}

/** A fresh set of ten codes like `7k2m-q9xd-4hcz` and their keyed hashes. */
export function generateRecoveryCodes(key: RecoveryKey): RecoveryCodeSet {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newCode());
  return { codes, hashes: codes.map((c) => hashRecoveryCode(c, key)) };
}

function newCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** Canonical form of a typed code: lower case, no dashes or spaces, Crockford's look-alikes folded. */
export function normaliseRecoveryCode(input: string): string {
  return input
    .toLowerCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
}

/** Keyed hash (hex HMAC-SHA-256) of a code, in its canonical form. */
export function hashRecoveryCode(code: string, key: RecoveryKey): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (keyBytes.length < MIN_KEY_BYTES) {
    throw new Error(`Recovery-code key must be at least ${MIN_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', keyBytes).update(normaliseRecoveryCode(code)).digest('hex');
}

/**
 * Which stored code (index) a typed code matches, or null. Protects the second factor's fallback:
 * the caller MUST then mark that index used (set it to null) in the same transaction that accepts
 * the sign-in, so each code works once. Used slots are passed as null so indexes stay stable.
 * Every slot is compared in constant time, so timing reveals nothing about which one matched.
 */
export function verifyRecoveryCode(
  code: string,
  storedHashes: readonly (string | null)[],
  key: RecoveryKey,
): number | null {
  const canonical = normaliseRecoveryCode(code);
  if (canonical.length !== GROUPS * GROUP_LENGTH) return null;
  if ([...canonical].some((ch) => !ALPHABET.includes(ch))) return null;
  const given = Buffer.from(hashRecoveryCode(canonical, key), 'hex');
  let matched: number | null = null;
  storedHashes.forEach((stored, index) => {
    if (stored === null || !/^[0-9a-f]{64}$/.test(stored)) return;
    if (timingSafeEqual(Buffer.from(stored, 'hex'), given) && matched === null) matched = index;
  });
  return matched;
}
