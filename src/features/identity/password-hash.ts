// The one place passwords are hashed and checked (setting a password, signing in, changing it,
// accounts made by the operator's command). Protects sign-in: every password is NFKC-normalised
// here before Argon2id (so "Ｐａｓｓ…½" set on one device matches "Pass...1⁄2" typed on another),
// at (at least) OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane. verifyAgainstNothing
// spends the same time when no account matched, so sign-in answers take as long whether or not
// the email exists. To change safely: never hash or verify a password anywhere else, keep the
// normalisation identical in hashPassword and checkStoredPassword, and never lower ARGON2_PARAMS.
import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';

// @node-rs/argon2 declares Algorithm as an ambient const enum, which type-stripping cannot
// inline; 2 is Argon2id in that enum.
const ARGON2ID = 2 as Algorithm;

/**
 * Argon2id parameters: OWASP Password Storage Cheat Sheet's recommended minimum (m=19 MiB, t=2,
 * p=1). Raising any of them is safe: old hashes still verify (the PHC string carries its own
 * parameters) and sign-in re-hashes a password whose hash `needsRehash`.
 */
export const ARGON2_PARAMS = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

/** Upper bound, so a huge input cannot be used to tie up the hasher. NIST asks for at least 64. */
export const MAX_PASSWORD_LENGTH = 256;

/** Unicode NFKC, as NIST SP 800-63B advises, so the same password typed anywhere matches. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Argon2id hash (PHC string, salt included) of the normalised password. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), { ...ARGON2_PARAMS, algorithm: ARGON2ID });
}

async function argon2Matches(stored: string, candidate: string): Promise<boolean> {
  try {
    return await verify(stored, candidate);
  } catch {
    return false;
  }
}

export type PasswordCheck = {
  ok: boolean;
  /** The password matched but its hash should be replaced by hashPassword(password). */
  rehash: boolean;
};

/**
 * Checks a password against a stored hash: the normalised form first, then — only when it
 * differs — the password as typed, because accounts made by the operator's command before
 * normalisation was shared were hashed un-normalised. A match on the raw form, or a hash made
 * with weaker parameters, asks the caller to re-hash. Never throws: a malformed stored hash is a
 * mismatch, so a corrupt row cannot become a 500 or a bypass.
 */
export async function checkStoredPassword(
  stored: string,
  password: string,
): Promise<PasswordCheck> {
  if ([...password].length > MAX_PASSWORD_LENGTH) return { ok: false, rehash: false };
  const normal = normalisePassword(password);
  if (await argon2Matches(stored, normal)) return { ok: true, rehash: needsRehash(stored) };
  if (normal !== password && (await argon2Matches(stored, password))) {
    return { ok: true, rehash: true };
  }
  return { ok: false, rehash: false };
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return (await checkStoredPassword(stored, password)).ok;
}

/** True when a stored hash was made with weaker parameters than ARGON2_PARAMS (re-hash it). */
export function needsRehash(stored: string): boolean {
  try {
    const o = parseOptions(stored);
    return (
      o.algorithm !== ARGON2ID ||
      o.memoryCost < ARGON2_PARAMS.memoryCost ||
      o.timeCost < ARGON2_PARAMS.timeCost ||
      o.outputLen < ARGON2_PARAMS.outputLen
    );
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Burns one check's worth of time against a hash no password matches (the same one or two
 * Argon2id verifications a real account's check makes for this password).
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword(`no-account-${Math.random()}`);
  await checkStoredPassword(await dummy, password);
  return false;
}
