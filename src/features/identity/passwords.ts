// Setting a password under the school's policy: by an emailed link, or my own while signed in.
// Protects accounts: the new password must pass length, composition and common/breached-list
// checks and must not be one of the last N used; the hash is Argon2id; and every session of the
// account ends, so a stolen session dies with the old password. To change safely: keep the
// history insert and the session ending in the same transaction as the update.
import type { Queryable } from '../../platform/db/engine.ts';
import type { RequestContext, VisitorContext } from '../../core/context.ts';
import { badRequest, DomainError } from '../../core/errors.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { checkPassword, isReused } from './password-policy.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { endUserSessions } from './sessions.ts';
import { loadSchoolSettings } from '../../core/settings.ts';
import { findLink, spendLink } from './links.ts';
import { accountKey, checkThrottle, recordFailure, throttleMessage } from './throttle.ts';

const LINK_REFUSED = 'This link has expired or has already been used. Ask for a new one.';

type LinkOutcome =
  { refused: 'expired' | 'used' | 'disabled' } | { refused: null; email: string; reset: boolean };

export async function setPassword(
  tx: Queryable,
  p: {
    schoolId: string;
    user: { id: string; email: string; name: string };
    password: string;
    policy: PasswordPolicy;
    now: Date;
  },
): Promise<{ endedSessions: string[] }> {
  const failures = checkPassword(p.policy, p.password, p.user);
  if (failures.length > 0) throw badRequest(failures.join(' '), 'weak_password');
  const history = await tx.query<{ password_hash: string }>(
    `SELECT password_hash FROM (
       SELECT password_hash, created_at FROM password_history WHERE user_id = $1
       UNION ALL SELECT password_hash, now() FROM users WHERE id = $1 AND password_hash IS NOT NULL
     ) h ORDER BY created_at DESC LIMIT 24`,
    [p.user.id],
  );
  const hashes = [...new Set(history.map((h) => h.password_hash))];
  if (await isReused(p.password, hashes, p.policy.historyCount)) {
    throw badRequest(
      `Choose a password you have not used before (the last ${p.policy.historyCount} are refused).`,
      'password_reused',
    );
  }
  const hash = await hashPassword(p.password);
  await tx.query(
    `UPDATE users SET password_hash = $2, password_changed_at = $3,
       activated_at = coalesce(activated_at, $3), reactivated_at = $3 WHERE id = $1`,
    [p.user.id, hash, p.now],
  );
  await tx.query(
    'INSERT INTO password_history (school_id, user_id, password_hash, created_at) VALUES ($1, $2, $3, $4)',
    [p.schoolId, p.user.id, hash, p.now],
  );
  return { endedSessions: await endUserSessions(tx, p.user.id, 'password_changed', p.now) };
}

/**
 * Sets a password with an emailed single-use link (an invitation or a reset). The link is spent
 * and the change audited as the account's holder; an invitation's first password activates the
 * account; a lock from failed sign-ins is lifted. A refused link (unknown, spent, expired, or a
 * disabled account) is audited and answered the same way whatever the reason. Answers the
 * holder's email and whether this replaced a password they had (a reset, not an invitation).
 */
export async function setPasswordWithLink(
  door: VisitorContext,
  token: string,
  password: string,
): Promise<{ email: string; reset: boolean }> {
  const link = await findLink(door, token);
  if (!link) throw badRequest(LINK_REFUSED, 'link_refused');
  const outcome = await door.inSchool(link.schoolId, async (t): Promise<LinkOutcome> => {
    const problem = await spendLink(t.db, link.linkId, t.now);
    if (problem) return { refused: problem };
    const [user] = await t.q<{
      id: string;
      email: string;
      name: string;
      disabled_at: Date | null;
      activated_at: Date | null;
    }>('SELECT id, email, name, disabled_at, activated_at FROM users WHERE id = $1', [link.userId]);
    if (!user || user.disabled_at) return { refused: 'disabled' };
    const settings = await loadSchoolSettings(t.db, link.schoolId);
    await setPassword(t.db, {
      schoolId: link.schoolId,
      user,
      password,
      policy: settings.passwordPolicy,
      now: t.now,
    });
    const holder = { userId: user.id, name: user.name };
    await t.audit(
      {
        action: 'auth.password_changed',
        targetType: 'user',
        targetId: user.id,
        details: { by: 'link' },
      },
      holder,
    );
    if (!user.activated_at) {
      // An invitation accepted: the account exists in earnest from now on.
      await t.audit({ action: 'user.activated', targetType: 'user', targetId: user.id }, holder);
    }
    await t.q(
      'UPDATE sign_in_throttle SET locked_until = NULL, next_allowed_at = $2 WHERE key_hash = $1',
      [accountKey(user.email), t.now],
    );
    return { refused: null, email: user.email, reset: user.activated_at !== null };
  });
  if (outcome.refused !== null) {
    const refused = outcome.refused;
    await door.inSchool(link.schoolId, (t) =>
      t.audit({
        action: 'auth.link_refused',
        targetType: 'user',
        targetId: link.userId,
        details: { reason: refused },
      }),
    );
    throw badRequest(LINK_REFUSED, 'link_refused');
  }
  return { email: outcome.email, reset: outcome.reset };
}

/**
 * Changes the signed-in member's own password (every session ends; they sign in again). The
 * current password is checked like a sign-in: throttled on the account, and a wrong one counts,
 * so a session left open cannot be used to guess the password at full speed.
 */
export async function changeOwnPassword(
  c: RequestContext,
  email: string,
  p: { currentPassword: string; newPassword: string },
): Promise<void> {
  const key = accountKey(email);
  const throttled = await c.tx((t) => checkThrottle(t.db, [key], t.now));
  if (!throttled.ok) {
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled), {
      retryAfterSeconds: throttled.retryAfterSeconds,
    });
  }
  const changed = await c.tx(async (t) => {
    const [user] = await t.q<{
      id: string;
      email: string;
      name: string;
      password_hash: string | null;
    }>('SELECT id, email, name, password_hash FROM users WHERE id = $1', [t.actor.userId]);
    if (!user?.password_hash || !(await verifyPassword(user.password_hash, p.currentPassword))) {
      return false;
    }
    const settings = await loadSchoolSettings(t.db, t.actor.schoolId);
    await setPassword(t.db, {
      schoolId: t.actor.schoolId,
      user,
      password: p.newPassword,
      policy: settings.passwordPolicy,
      now: t.now,
    });
    await t.audit({
      action: 'auth.password_changed',
      targetType: 'user',
      targetId: user.id,
      details: { by: 'self' },
    });
    return true;
  });
  if (!changed) {
    await c.tx((t) => recordFailure(t.db, key, 'account', t.now));
    throw badRequest('Your current password is not right.', 'wrong_password');
  }
}

/** Dormant: unused for the school's dormancy period since sign-in, activation or reactivation. */
export function isDormant(
  u: {
    last_sign_in_at: Date | null;
    reactivated_at: Date | null;
    activated_at: Date | null;
    created_at: Date;
  },
  dormancyDays: number,
  now: Date,
): boolean {
  const times = [u.last_sign_in_at, u.reactivated_at, u.activated_at, u.created_at]
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  return now.getTime() - Math.max(...times) > dormancyDays * 86_400_000;
}
