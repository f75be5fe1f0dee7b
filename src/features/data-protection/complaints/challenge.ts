// The complaint form's defence against a flooding script (issue 17), with no third party: a
// hashcash-style proof of work and a rate limit per sender. What this protects: the register from
// being buried, and the school's key from being used as an oracle. How it works: the server signs
// a challenge (school, random nonce, expiry) with an HMAC under a key derived from the school's
// search key; the sender must find a counter whose SHA-256 with the challenge starts with
// COMPLAINT_WORK_BITS zero bits; each challenge is stored with its complaint, so it serves once
// (the table's unique key). The sender's address is kept only as a keyed digest, and at most
// COMPLAINTS_PER_HOUR complaints a sender (an IPv6 sender by its /64) and SCHOOL_COMPLAINTS_PER_HOUR a
// school per hour are taken, counted and inserted under an advisory lock so racing requests
// cannot all pass. To change safely: keep the
// signature checked before the work, and the comparison constant-time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { badRequest } from '../../../core/errors.ts';
import { COMPLAINT_WORK_BITS } from '../../../shared/schemas/data-protection.ts';

const VALID_MS = 30 * 60_000;
export const COMPLAINTS_PER_HOUR = 3;
/** A ceiling across all senders, so many addresses cannot bury one school's register. */
export const SCHOOL_COMPLAINTS_PER_HOUR = 30;

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

/**
 * The sender as the rate limit sees it: an IPv4 address whole (an IPv4-mapped IPv6 address as its
 * IPv4), an IPv6 address by its /64 prefix — one subscriber holds a whole /64, so counting full
 * IPv6 addresses would let one sender rotate through 2^64 of them.
 */
export function senderOf(ip: string | null): string {
  if (ip === null || !isIPv6(ip.split('%')[0] ?? '')) return ip ?? 'unknown';
  const bare = (ip.split('%')[0] ?? '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** A keyed digest of the sender's address, for the rate limit (the address is never stored). */
export function addressDigest(searchKey: Buffer, ip: string | null): string {
  return createHmac('sha256', keyOf(searchKey))
    .update(`address:${senderOf(ip)}`)
    .digest('base64url');
}

/** The counter a sender's browser finds (tests and the web app do the same work). */
export function solveChallenge(challenge: string): number {
  for (let counter = 0; ; counter++) {
    const digest = createHash('sha256').update(`${challenge}:${counter}`).digest();
    if (zeroBits(digest) >= COMPLAINT_WORK_BITS) return counter;
  }
}
