// Passwords: each school's policy and the checks a new password must pass. Hashing and checking
// live in password-hash.ts alone (re-exported here), so every path normalises the same way.
import { analysePassword } from '../../shared/password-strength.ts';
import { defaultPasswordPolicy, type PasswordPolicy } from '../../core/settings.ts';
import {
  MAX_PASSWORD_LENGTH,
  normalisePassword as normalise,
  verifyPassword,
} from './password-hash.ts';

export {
  ARGON2_PARAMS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
} from './password-hash.ts';

export { passwordStrength } from '../../shared/password-strength.ts';
export type { PasswordStrength, StrengthScore } from '../../shared/password-strength.ts';

// The policy's shape and defaults are school settings (src/core/settings.ts).
export { defaultPasswordPolicy, type PasswordPolicy } from '../../core/settings.ts';

/** NIST SP 800-63B minimum; a school cannot set a shorter minimum. */
export const MIN_PASSWORD_LENGTH_FLOOR = 8;
/** zxcvbn score below which a password is refused as too easy to guess (when checkCommon). */
export const MIN_STRENGTH_SCORE = 3;

/**
 * The failures a proposed password has under a policy; an empty list means it is acceptable.
 * Protects accounts from guessable passwords. Messages are shown to the user as they are. To add
 * a rule, add a message here and a test; do not weaken the floor or the common-password check.
 */
export function checkPassword(
  policy: PasswordPolicy,
  password: string,
  user: { email: string; name: string },
): string[] {
  const failures: string[] = [];
  const pw = normalise(password);
  const length = [...pw].length;
  const minLength = Math.max(policy.minLength, MIN_PASSWORD_LENGTH_FLOOR);
  if (length < minLength) failures.push(`Use at least ${minLength} characters.`);
  if (length > MAX_PASSWORD_LENGTH) failures.push(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (policy.requireComposition) {
    const missing: string[] = [];
    if (!/\p{L}/u.test(pw)) missing.push('a letter');
    if (!/\p{N}/u.test(pw)) missing.push('a digit');
    if (!/[^\p{L}\p{N}\s]/u.test(pw)) missing.push('a symbol');
    if (missing.length > 0) failures.push(`Include ${joinList(missing)}.`);
  }
  const personal = personalWords(user);
  if (personal.some((w) => pw.toLowerCase().includes(w))) {
    failures.push('Do not use your name or email address in your password.');
  }
  if (policy.checkCommon && length <= MAX_PASSWORD_LENGTH) {
    const result = analysePassword(pw, personal);
    if (containsCommonPassword(pw, result.sequence)) {
      failures.push('This password is on a list of common or breached passwords.');
    } else if (result.score < MIN_STRENGTH_SCORE) {
      failures.push('This password is too easy to guess. Try a few unrelated words together.');
    }
  }
  return failures;
}

/**
 * True when most of the password is one entry of the common/breached list (plain, reversed,
 * or with l33t substitutions): "Password123!", "P@ssw0rd1234", "Liverpool1892!".
 */
function containsCommonPassword(
  password: string,
  sequence: readonly { pattern: string; token: string; dictionaryName?: unknown }[],
): boolean {
  return sequence.some(
    (m) =>
      m.pattern === 'dictionary' &&
      typeof m.dictionaryName === 'string' &&
      m.dictionaryName.startsWith('passwords') &&
      m.token.length * 2 >= password.length,
  );
}

/** Lower-case words from the user's name and email that must not appear in their password. */
function personalWords(user: { email: string; name: string }): string[] {
  const local = user.email.split('@')[0]?.toLowerCase() ?? '';
  const words = [
    local,
    ...local.split(/[^\p{L}\p{N}]+/u),
    ...user.name.toLowerCase().split(/[^\p{L}\p{N}]+/u),
  ];
  return [...new Set(words.filter((w) => [...w].length >= 3))];
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/**
 * True when the password matches one of the last `historyCount` hashes. `previousHashes` is
 * newest first and should include the current password's hash.
 */
export async function isReused(
  password: string,
  previousHashes: readonly string[],
  historyCount: number = defaultPasswordPolicy.historyCount,
): Promise<boolean> {
  const recent = previousHashes.slice(0, Math.max(0, historyCount));
  const results = await Promise.all(recent.map((h) => verifyPassword(h, password)));
  return results.includes(true);
}

/** When a password set at `changedAt` expires under the policy, or null if it never does. */
export function passwordExpiresAt(policy: PasswordPolicy, changedAt: Date): Date | null {
  if (policy.expiryDays <= 0) return null;
  return new Date(changedAt.getTime() + policy.expiryDays * 24 * 60 * 60 * 1000);
}

export function isPasswordExpired(policy: PasswordPolicy, changedAt: Date, now: Date): boolean {
  const expiresAt = passwordExpiresAt(policy, changedAt);
  return expiresAt !== null && now.getTime() >= expiresAt.getTime();
}
