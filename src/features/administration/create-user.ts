// Creating a staff account with a password (operator command, demo data and tests); it joins the
// default groups of its role. Administrators invite staff by emailed link (users.ts). Runs
// through the operator's door, audited in the school at `now`.
import type { Database } from '../../platform/db/engine.ts';
import { unsafeAsOperator } from '../../core/context.ts';
import { hashPassword } from '../identity/password-hash.ts';
import { isRole, type Role } from '../../core/access/actor.ts';
import { joinGroupsByKey, ROLE_GROUPS } from '../../core/access/seed-groups.ts';

export type NewUser = {
  schoolId: string;
  email: string;
  name: string;
  role: Role;
  password: string;
};

export async function createUser(
  db: Database,
  u: NewUser,
  operator = 'operator',
  now: Date = new Date(),
): Promise<string> {
  const email = u.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new Error(`"${u.email}" is not an email address.`);
  if (!isRole(u.role)) throw new Error(`"${String(u.role)}" is not a role.`);
  if (u.password.length < 12) throw new Error('A password must be at least 12 characters.');
  const hash = await hashPassword(u.password);
  return unsafeAsOperator({ db, clock: { now: () => now } }, operator, async (t) => {
    const [row] = await t.q<{ id: string }>(
      `INSERT INTO users (school_id, email, name, role, password_hash, password_changed_at, activated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
      [u.schoolId, email, u.name, u.role, hash, now],
    );
    await t.q(
      'INSERT INTO password_history (school_id, user_id, password_hash) VALUES ($1, $2, $3)',
      [u.schoolId, row!.id, hash],
    );
    await joinGroupsByKey(t.db, u.schoolId, row!.id, ROLE_GROUPS[u.role]);
    await t.audit(u.schoolId, {
      action: 'user.created',
      targetType: 'user',
      targetId: row!.id,
      details: { role: u.role },
    });
    return row!.id;
  });
}
