// Known devices: a long-lived random cookie per browser, stored only as a hash per account. A
// sign-in from a browser this account has not used before is audited and the account holder is
// emailed a notice that says when, and nothing else.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/engine.ts';

export const DEVICE_COOKIE = 'lantern_device';
export const DEVICE_COOKIE_DAYS = 400;

export function deviceToken(existing: string | undefined): string {
  return existing && /^[A-Za-z0-9_-]{43}$/.test(existing)
    ? existing
    : randomBytes(32).toString('base64url');
}

/** Records the device for the user; true when it had not been seen on this account before. */
export async function noteDevice(
  tx: Queryable,
  p: { schoolId: string; userId: string; token: string; now: Date },
): Promise<boolean> {
  const hash = createHash('sha256').update(p.token, 'utf8').digest();
  const seen = await tx.query<{ n: number }>(
    `UPDATE known_devices SET last_seen_at = $3 WHERE user_id = $1 AND device_hash = $2 RETURNING 1 AS n`,
    [p.userId, hash, p.now],
  );
  if (seen.length > 0) return false;
  await tx.query(
    `INSERT INTO known_devices (school_id, user_id, device_hash, first_seen_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $4)`,
    [p.schoolId, p.userId, hash, p.now],
  );
  return true;
}
