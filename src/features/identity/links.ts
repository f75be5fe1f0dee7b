// Single-use emailed links (invitation and password reset). Protects account takeover by link:
// the token is 32 random bytes, only its SHA-256 is stored, it lives 30 minutes, works once, and
// a new link for the same purpose cancels the older ones. The link carries the token in the URL
// fragment, which browsers never send to a server or write to its logs.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/engine.ts';
import type { VisitorContext } from '../../core/context.ts';

export const LINK_MINUTES = 30;
export type LinkPurpose = 'invite' | 'reset';

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export async function createLink(
  tx: Queryable,
  p: { schoolId: string; userId: string; purpose: LinkPurpose; now: Date; origin: string },
): Promise<string> {
  await tx.query(
    `UPDATE email_links SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [p.userId, p.purpose, p.now],
  );
  const token = randomBytes(32).toString('base64url');
  await tx.query(
    `INSERT INTO email_links (school_id, user_id, purpose, token_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      p.schoolId,
      p.userId,
      p.purpose,
      hashOf(token),
      p.now,
      new Date(p.now.getTime() + LINK_MINUTES * 60_000),
    ],
  );
  return `${p.origin}/set-password#token=${token}`;
}

/** Which school a token belongs to (the only way across schools), or null. */
export async function findLink(
  door: Pick<VisitorContext, 'inPlatform'>,
  token: string,
): Promise<{ linkId: string; schoolId: string; userId: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const [row] = await door.inPlatform((q) =>
    q.query<{ link_id: string; school_id: string; user_id: string }>(
      'SELECT link_id, school_id, user_id FROM lantern_find_link($1)',
      [hashOf(token)],
    ),
  );
  return row ? { linkId: row.link_id, schoolId: row.school_id, userId: row.user_id } : null;
}

/** Marks the link used; answers why it cannot be used, or null when it was good. */
export async function spendLink(
  tx: Queryable,
  linkId: string,
  now: Date,
): Promise<'expired' | 'used' | null> {
  const [row] = await tx.query<{ used_at: Date | null; expires_at: Date }>(
    'SELECT used_at, expires_at FROM email_links WHERE id = $1 FOR UPDATE',
    [linkId],
  );
  if (!row || row.used_at) return 'used';
  if (row.expires_at <= now) return 'expired';
  await tx.query('UPDATE email_links SET used_at = $2 WHERE id = $1', [linkId, now]);
  return null;
}
