// Argon2id password hashing at (at least) OWASP's recommended parameters: 19 MiB, 2 passes,
// 1 lane. verifyAgainstNothing spends the same time when no account matched, so sign-in answers
// take as long whether or not the email exists.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm is a const enum in the typings; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export const ARGON2_PARAMS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Burns one verification's worth of time against a hash no password matches. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword(`no-account-${Math.random()}`);
  await verifyPassword(await dummy, password);
  return false;
}
