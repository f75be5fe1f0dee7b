// The complaint form's defence against a flooding script (issue 17), with no third party: a
// hashcash-style proof of work and a rate limit per sender. What this protects: the register from
// being buried, and the school's key from being used as an oracle. How it works: the server signs
// a challenge (school, random nonce, expiry) with an HMAC under a key derived from the school's
// search key; the sender must find a counter whose SHA-256 with the challenge starts with
// COMPLAINT_WORK_BITS zero bits; each challenge is stored with its complaint, so it serves once
// (the table's unique key). The sender's address is kept only as a keyed digest, and at most
// COMPLAINTS_PER_HOUR complaints a sender per hour are taken. To change safely: keep the
// signature checked before the work, and the comparison constant-time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../../../core/errors.ts';
import { COMPLAINT_WORK_BITS } from '../../../shared/schemas/data-protection.ts';

const VALID_MS = 30 * 60_000;
export const COMPLAINTS_PER_HOUR = 3;

const keyOf = (searchKey: Buffer) =>
  createHmac('sha256', searchKey).update('lantern:complaint-challenge').digest();

const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(payload).digest('base64url');

export function issueChallenge(searchKey: Buffer, schoolId: string, now: Date): string {
  const payload = Buffer.from(
    JSON.stringify({
      s: schoolId,
      n: randomBytes(16).toString('base64url'),
      e: now.getTime() + VALID_MS,
    }),
  ).toString('base64url');
  return `${payload}.${sign(keyOf(searchKey), payload)}`;
}

/** Leading zero bits of a digest. */
function zeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const refused = () =>
  badRequest(
    'The form could not be checked. Reload the page and send it again.',
    'challenge_refused',
  );

/** The challenge's nonce when it is this school's, unexpired, signed and worked; else refused. */
export function checkChallenge(
  searchKey: Buffer,
  schoolId: string,
  now: Date,
  challenge: string,
  counter: number,
): string {
  const [payload, mac] = challenge.split('.');
  if (!payload || !mac) throw refused();
  const want = Buffer.from(sign(keyOf(searchKey), payload));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw refused();
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    s: string;
    n: string;
    e: number;
  };
  if (body.s !== schoolId || body.e < now.getTime()) throw refused();
  const digest = createHash('sha256').update(`${challenge}:${counter}`).digest();
  if (zeroBits(digest) < COMPLAINT_WORK_BITS) throw refused();
  return body.n;
}

/** A keyed digest of the sender's address, for the rate limit (the address is never stored). */
export function addressDigest(searchKey: Buffer, ip: string | null): string {
  return createHmac('sha256', keyOf(searchKey))
    .update(`address:${ip ?? 'unknown'}`)
    .digest('base64url');
}

/** The counter a sender's browser finds (tests and the web app do the same work). */
export function solveChallenge(challenge: string): number {
  for (let counter = 0; ; counter++) {
    const digest = createHash('sha256').update(`${challenge}:${counter}`).digest();
    if (zeroBits(digest) >= COMPLAINT_WORK_BITS) return counter;
  }
}
