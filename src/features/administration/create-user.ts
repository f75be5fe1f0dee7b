// Creating a staff account with a password (operator command, demo data and tests); it joins the
// default groups of its role. Administrators invite staff by emailed link (src/admin/).
import type { Database } from '../../platform/db/engine.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { appendAudit } from '../../platform/audit/chain.ts';
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
  return unsafeAsOwner(db, async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO users (school_id, email, name, role, password_hash, password_changed_at, activated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
      [u.schoolId, email, u.name, u.role, hash, now],
    );
    await tx.query(
      'INSERT INTO password_history (school_id, user_id, password_hash) VALUES ($1, $2, $3)',
      [u.schoolId, row!.id, hash],
    );
    await joinGroupsByKey(tx, u.schoolId, row!.id, ROLE_GROUPS[u.role]);
    await appendAudit(
      tx,
      u.schoolId,
      { actorId: null, actorLabel: operator, ip: null, userAgent: null },
      { action: 'user.created', targetType: 'user', targetId: row!.id, details: { role: u.role } },
      now,
    );
    return row!.id;
  });
}
