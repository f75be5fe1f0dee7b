// Setting a password under the school's policy. Protects accounts: the new password must pass
// length, composition and common/breached-list checks and must not be one of the last N used;
// the hash is Argon2id; and every session of the account ends, so a stolen session dies with the
// old password. To change safely: keep the history insert and the session ending in the same
// transaction as the update.
import type { Queryable } from '../../platform/db/engine.ts';
import { badRequest } from '../../core/errors.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { checkPassword, isReused } from './password-policy.ts';
import { hashPassword } from './password-hash.ts';
import { endUserSessions } from './sessions.ts';

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
