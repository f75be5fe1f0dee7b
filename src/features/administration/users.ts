// Administering staff accounts: list, invite, disable, reactivate, unlock, reset a second factor
// and set group memberships (joining the DSL team or a group that sees restricted records waits
// for approval: approval-requests.ts). Every change is audited in the same transaction. Disabling ends the
// account's sessions; names stay on everything the person wrote.
import type { Services } from '../../platform/services.ts';
import type { Tx } from '../../core/context.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import { isRole, type Role } from '../../core/access/actor.ts';
import { ROLE_GROUPS } from '../../core/access/seed-groups.ts';
import { endUserSessions } from '../identity/sessions.ts';
import { loadSchoolSettings } from '../../core/settings.ts';
import { isDormant } from '../identity/passwords.ts';
import { removeAllFactors } from '../identity/second-factor.ts';
import { accountKey, clearThrottle } from '../identity/throttle.ts';
import { linkFor } from '../identity/invitations.ts';
import type { FactorResetReason } from '../../shared/factor-reset.ts';
import type { UserStatus } from '../../shared/schemas/administration.ts';
import { ownAccessRefused } from './own-access.ts';
import { GROUP_GRANT_SELECT, grantOf } from '../../core/access/load.ts';
import { membershipNeedsApproval } from '../../core/access/approvers.ts';
import type { AwaitingApproval } from '../../shared/schemas/administration.ts';
import { askApproval, restrictedCategoryIds } from './approval-requests.ts';

type Row = {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  reactivated_at: Date | null;
  activated_at: Date | null;
  created_at: Date;
  password_hash: string | null;
  lock_until: Date | null;
  totp: boolean;
  keys: number;
  groups: string[];
};

export async function listUsers(t: Tx) {
  const settings = await loadSchoolSettings(t.db, t.actor.schoolId);
  const rows = await t.q<Row>(
    `SELECT u.id, u.email, u.name, u.role, u.disabled_at, u.last_sign_in_at, u.reactivated_at,
            u.activated_at, u.created_at, u.password_hash IS NOT NULL AS has_password,
            (SELECT locked_until FROM sign_in_throttle WHERE key_hash = sha256(convert_to('account:' || lower(u.email), 'UTF8'))
               AND locked_until > $1) AS lock_until,
            EXISTS (SELECT 1 FROM totp_credentials x WHERE x.user_id = u.id AND x.confirmed_at IS NOT NULL) AS totp,
            (SELECT count(*)::int FROM webauthn_credentials w WHERE w.user_id = u.id AND w.removed_at IS NULL) AS keys,
            coalesce((SELECT array_agg(m.group_id::text) FROM staff_group_members m WHERE m.user_id = u.id), '{}') AS groups,
            u.password_hash
     FROM users u ORDER BY lower(u.name)`,
    [t.now],
  );
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: statusOf(r, settings.dormancyDays, t.now),
    lockedUntil: r.lock_until?.toISOString() ?? null,
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    secondFactor: { totp: r.totp, securityKeys: r.keys },
    groupIds: r.groups,
  }));
}

function statusOf(r: Row, dormancyDays: number, now: Date): UserStatus {
  if (r.disabled_at) return 'disabled';
  if (!r.password_hash) return 'invited';
  if (r.lock_until) return 'locked';
  return isDormant(r, dormancyDays, now) ? 'dormant' : 'active';
}

async function target(t: Tx, id: string) {
  const [u] = await t.q<{ id: string; email: string; disabled_at: Date | null }>(
    'SELECT id, email, disabled_at FROM users WHERE id = $1',
    [id],
  );
  if (!u) throw notFound('That member of staff');
  return u;
}

async function inviteUser(
  t: Tx,
  input: { email: string; name: string; role: string },
  alerted: string[],
): Promise<{ id: string; awaitingApproval: AwaitingApproval[] }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(email)) {
    throw badRequest('That is not an email address.', 'bad_email');
  }
  if (!isRole(input.role)) throw badRequest('That is not a role.', 'bad_role');
  // Emails are unique across schools; this asks for the one exact address only.
  const [clash] = await t.q('SELECT 1 FROM lantern_find_login($1)', [email]);
  if (clash) throw conflict('That email address is already used by an account.');
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO users (school_id, email, name, role, invited_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
    [t.actor.schoolId, email, input.name.trim(), input.role, t.now],
  );
  await t.audit({
    action: 'user.invited',
    targetType: 'user',
    targetId: row!.id,
    details: { role: input.role },
  });
  // The role's default groups, through the same rule as any other membership: a DSL, deputy or
  // headteacher invited by an administrator joins the DSL team or the headteacher's group only
  // once a DSL or the headteacher approves.
  const groups = await t.q<{ id: string }>('SELECT id FROM staff_groups WHERE key = ANY($1)', [
    ROLE_GROUPS[input.role],
  ]);
  const awaitingApproval = await setMemberships(
    t,
    row!.id,
    groups.map((g) => g.id),
    alerted,
  );
  return { id: row!.id, awaitingApproval };
}

/** Invites a member of staff and creates their single-use link (send it after commit). */
export async function inviteWithLink(
  services: Services,
  t: Tx,
  input: { email: string; name: string; role: string },
  alerted: string[],
): Promise<{ id: string; email: string; link: string; awaitingApproval: AwaitingApproval[] }> {
  const { id, awaitingApproval } = await inviteUser(t, input, alerted);
  const link = await linkFor(services, t.db, {
    schoolId: t.actor.schoolId,
    userId: id,
    purpose: 'invite',
    now: t.now,
  });
  return { id, email: input.email.trim().toLowerCase(), link, awaitingApproval };
}

/**
 * A new link for an active account: an invitation again, or a password reset for an account that
 * has a password. Audited as whichever it is; send it after commit.
 */
export async function linkForUser(
  services: Services,
  t: Tx,
  id: string,
): Promise<{ email: string; link: string }> {
  const [u] = await t.q<{ email: string; password_hash: string | null }>(
    'SELECT email, password_hash FROM users WHERE id = $1 AND disabled_at IS NULL',
    [id],
  );
  if (!u) throw notFound('That member of staff');
  const purpose = u.password_hash ? 'reset' : 'invite';
  await t.audit({
    action: purpose === 'invite' ? 'user.invited' : 'auth.password_reset_requested',
    targetType: 'user',
    targetId: id,
  });
  const link = await linkFor(services, t.db, {
    schoolId: t.actor.schoolId,
    userId: id,
    purpose,
    now: t.now,
  });
  return { email: u.email, link };
}

export async function disableUser(t: Tx, id: string): Promise<void> {
  const u = await target(t, id);
  if (id === t.actor.userId) throw badRequest('You cannot disable your own account.', 'self');
  if (!u.disabled_at) await t.q('UPDATE users SET disabled_at = $2 WHERE id = $1', [id, t.now]);
  const ended = await endUserSessions(t.db, id, 'disabled', t.now);
  await t.audit({
    action: 'user.disabled',
    targetType: 'user',
    targetId: id,
    details: { sessionsEnded: ended.length },
  });
}

export async function reactivateUser(t: Tx, id: string): Promise<void> {
  await target(t, id);
  await t.q('UPDATE users SET disabled_at = NULL, reactivated_at = $2 WHERE id = $1', [id, t.now]);
  await t.audit({ action: 'user.reactivated', targetType: 'user', targetId: id });
}

export async function unlockUser(t: Tx, id: string): Promise<void> {
  const u = await target(t, id);
  await clearThrottle(t.db, accountKey(u.email));
  await t.q('UPDATE users SET locked_until = NULL WHERE id = $1', [id]);
  await t.audit({ action: 'user.unlocked', targetType: 'user', targetId: id });
}

/** Returns the member's address, for the notice sent once the reset has committed. */
export async function resetSecondFactor(
  t: Tx,
  id: string,
  reason: FactorResetReason,
): Promise<string> {
  const member = await target(t, id);
  await removeAllFactors(t, id);
  const ended = await endUserSessions(t.db, id, 'second_factor_reset', t.now);
  await t.audit({
    action: 'user.second_factor_reset',
    targetType: 'user',
    targetId: id,
    details: { reason, sessionsEnded: ended.length },
  });
  return member.email;
}

/**
 * Sets a member's groups. Leaving groups and joining ordinary ones apply at once; joining the DSL
 * team or a group that sees restricted records waits for a DSL's or the headteacher's approval
 * (approval-requests.ts), and is returned as awaiting it.
 */
export async function setMemberships(
  t: Tx,
  id: string,
  groupIds: string[],
  alerted: string[],
): Promise<AwaitingApproval[]> {
  await target(t, id);
  const wanted = new Set(groupIds);
  const found = await t.q<Parameters<typeof grantOf>[0] & { key: string }>(
    `SELECT ${GROUP_GRANT_SELECT}, g.key FROM staff_groups g WHERE g.id = ANY($1::uuid[])`,
    [[...wanted]],
  );
  if (found.length !== wanted.size)
    throw badRequest('One of the groups does not exist.', 'unknown_group');
  const before = await t.q<{ group_id: string }>(
    'SELECT group_id FROM staff_group_members WHERE user_id = $1',
    [id],
  );
  const had = new Set(before.map((b) => b.group_id));
  const unchanged = had.size === wanted.size && [...had].every((g) => wanted.has(g));
  if (unchanged) return [];
  if (id === t.actor.userId) throw ownAccessRefused({ type: 'user', id });
  const restricted = await restrictedCategoryIds(t);
  const awaiting: AwaitingApproval[] = [];
  const applied = new Set([...had].filter((g) => wanted.has(g)));
  for (const g of found) {
    if (had.has(g.id)) continue;
    const reason = membershipNeedsApproval({ key: g.key, grant: grantOf(g) }, restricted);
    if (reason) {
      const change = { kind: 'membership' as const, userId: id, groupId: g.id };
      awaiting.push(await askApproval(t, change, reason, alerted));
    } else applied.add(g.id);
  }
  await writeMemberships(t, id, [...had], [...applied]);
  return awaiting;
}

/** Adds one member to one group and audits it (what an approval runs). */
export async function applyMembership(t: Tx, userId: string, groupId: string): Promise<void> {
  const before = await t.q<{ group_id: string }>(
    'SELECT group_id FROM staff_group_members WHERE user_id = $1',
    [userId],
  );
  const had = before.map((b) => b.group_id);
  if (had.includes(groupId)) return;
  await writeMemberships(t, userId, had, [...had, groupId]);
}

async function writeMemberships(t: Tx, id: string, before: string[], after: string[]) {
  const same = before.length === after.length && before.every((g) => after.includes(g));
  if (same) return;
  await t.q('DELETE FROM staff_group_members WHERE user_id = $1', [id]);
  for (const g of after) {
    await t.q(
      'INSERT INTO staff_group_members (school_id, group_id, user_id) VALUES ($1, $2, $3)',
      [t.actor.schoolId, g, id],
    );
  }
  await t.audit({
    action: 'user.groups_changed',
    targetType: 'user',
    targetId: id,
    details: { before, after },
  });
}
