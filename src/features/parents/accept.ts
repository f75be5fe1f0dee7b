// Accepting an invitation (issue 21): the emailed link plus the child's date of birth, then a
// password (the house password policy), then a session good only for setting up the second factor
// (sessions.ts `enrol`): nothing else is reachable until the parent has one. Protects accounts:
// a wrong date of birth is refused with a clear message, counted against the invitation and the
// address (the sign-in throttle's delays and lock), audited, and changes nothing; an expired,
// used, revoked or unknown link is refused and audited; a contact restricted by the DSL is
// refused even with a good link. To change safely: check the link and the date of birth again in
// the accepting transaction, and keep every refusal before any change.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { originOf, visitor, type VisitorContext } from '../../core/context.ts';
import { parentDoor, restrictedContactSql } from '../../core/parent-context.ts';
import { badRequest, DomainError } from '../../core/errors.ts';
import { defaultPasswordPolicy } from '../../core/settings.ts';
import { checkPassword } from '../identity/password-policy.ts';
import { hashPassword } from '../identity/password-hash.ts';
import {
  addressKey,
  checkThrottle,
  clearThrottle,
  recordFailure,
  throttleMessage,
} from '../identity/throttle.ts';
import { hashInvitationToken } from './invitations.ts';
import { createParentSession } from './sessions.ts';
import type { Issued } from './sign-in.ts';
import type { ParentStage } from '../../shared/schemas/parents.ts';

export const LINK_REFUSED =
  'This invitation link does not work. Ask your child’s school to send you a new one.';
export const LINK_EXPIRED =
  'This invitation link has expired. Ask your child’s school to send you a new one.';
export const LINK_USED =
  'This invitation has already been accepted. Sign in with your email address and password.';
export const DOB_WRONG =
  'That date of birth does not match the school’s records for the child this invitation is about. Check it and try again.';

type Found = {
  id: string;
  school_id: string;
  school_name: string;
  status: string;
  expires_at: Date | null;
  pupil_id: string;
  contact_id: string;
  contact_name: string;
  email: string;
  dob: string | null;
  restricted: boolean;
  parent_id: string | null;
  account_status: string | null;
  has_password: boolean;
  has_factor: boolean;
};

const dobKey = (invitationId: string) =>
  createHash('sha256').update(`parent-invitation-dob:${invitationId}`).digest();

async function find(door: VisitorContext, token: string, now: Date): Promise<Found | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const today = now.toISOString().slice(0, 10);
  const [row] = await door.findInItsSchool<Found>(
    'lantern_find_parent_invitation',
    hashInvitationToken(token),
    `SELECT i.id, i.school_id, sc.name AS school_name, i.status, i.expires_at, i.pupil_id,
            i.contact_id, c.first_name || ' ' || c.last_name AS contact_name, i.email,
            to_char(p.date_of_birth, 'YYYY-MM-DD') AS dob,
            ${restrictedContactSql('i.contact_id', `'${today}'`)} AS restricted,
            a.id AS parent_id, a.status AS account_status,
            (a.password_hash IS NOT NULL) AS has_password,
            EXISTS (SELECT 1 FROM parent_totp tt WHERE tt.parent_id = a.id
                      AND tt.confirmed_at IS NOT NULL) AS has_factor
     FROM parent_invitations i JOIN schools sc ON sc.id = i.school_id
     JOIN pupils p ON p.id = i.pupil_id JOIN contacts c ON c.id = i.contact_id
     LEFT JOIN parent_accounts a ON a.contact_id = i.contact_id
     WHERE i.token_hash = $1`,
  );
  return row ?? null;
}

/** The invitation for a link, or a refusal (audited) saying why it does not work. */
async function usable(services: Services, req: FastifyRequest, token: string): Promise<Found> {
  const door = visitor(services, originOf(req));
  const now = services.clock.now();
  const found = await find(door, token, now);
  const reason: 'unknown' | 'expired' | 'used' | 'revoked' | null = !found
    ? 'unknown'
    : found.status === 'accepted'
      ? 'used'
      : found.status === 'revoked' || found.restricted
        ? 'revoked'
        : !found.expires_at || found.expires_at <= now
          ? 'expired'
          : null;
  if (!reason && found) return found;
  await door.inSchool(found?.school_id ?? PLATFORM_SCHOOL_ID, (t) =>
    t.audit({
      action: 'parent.invitation_link_refused',
      ...(found && { targetType: 'parent_invitation', targetId: found.id }),
      details: { reason: reason ?? 'unknown' },
    }),
  );
  const message =
    reason === 'expired' ? LINK_EXPIRED : reason === 'used' ? LINK_USED : LINK_REFUSED;
  throw new DomainError('invalid', `invitation_${reason ?? 'unknown'}`, message);
}

/** Checks the child's date of birth against the invitation (counted, throttled, audited). */
async function checkDateOfBirth(
  services: Services,
  req: FastifyRequest,
  inv: Found,
  dateOfBirth: string,
): Promise<void> {
  const door = visitor(services, originOf(req));
  const now = services.clock.now();
  const keys = [dobKey(inv.id), addressKey(req.ip)];
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) {
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(state), {
      retryAfterSeconds: state.retryAfterSeconds,
    });
  }
  if (inv.dob !== null && inv.dob === dateOfBirth) return;
  await door.inSchool(inv.school_id, async (t) => {
    await recordFailure(t.db, keys[0]!, 'account', now);
    await recordFailure(t.db, keys[1]!, 'address', now);
    const [row] = await t.q<{ dob_failures: number }>(
      `UPDATE parent_invitations SET dob_failures = dob_failures + 1 WHERE id = $1
       RETURNING dob_failures`,
      [inv.id],
    );
    await t.audit({
      action: 'parent.date_of_birth_refused',
      targetType: 'parent_invitation',
      targetId: inv.id,
      details: { failures: row?.dob_failures ?? 0 },
    });
  });
  throw new DomainError('invalid', 'date_of_birth_mismatch', DOB_WRONG);
}

/** Step one: the link and the date of birth. Says whether a password is to be chosen next. */
export async function checkInvitation(
  services: Services,
  req: FastifyRequest,
  input: { token: string; dateOfBirth: string },
): Promise<{ needsPassword: boolean; school: string }> {
  const inv = await usable(services, req, input.token);
  await checkDateOfBirth(services, req, inv, input.dateOfBirth);
  return {
    needsPassword: !inv.has_password || inv.account_status !== 'active',
    school: inv.school_name,
  };
}

/**
 * Step two: the link and the date of birth again, and the new password when there is none. The
 * account is made (or re-opened), linked to the child, the invitation accepted, and a session
 * issued that can only set up the second factor (or give it, for a parent who has one).
 */
export async function acceptInvitation(
  services: Services,
  req: FastifyRequest,
  input: { token: string; dateOfBirth: string; password?: string | undefined },
): Promise<Issued> {
  const inv = await usable(services, req, input.token);
  await checkDateOfBirth(services, req, inv, input.dateOfBirth);
  const needsPassword = !inv.has_password || inv.account_status !== 'active';
  let passwordHash: string | null = null;
  if (needsPassword) {
    if (!input.password) throw badRequest('Choose a password.', 'password_required');
    const failures = checkPassword(defaultPasswordPolicy, input.password, {
      email: inv.email,
      name: inv.contact_name,
    });
    if (failures.length > 0) throw badRequest(failures.join(' '), 'weak_password');
    passwordHash = await hashPassword(input.password);
  }
  return parentDoor(services, originOf(req), inv.school_id, inv.contact_name).tx(async (t) => {
    // Again, inside the accepting transaction: still this link, still usable.
    const [still] = await t.q<{ status: string }>(
      'SELECT status FROM parent_invitations WHERE id = $1 AND token_hash = $2 FOR UPDATE',
      [inv.id, hashInvitationToken(input.token)],
    );
    if (still?.status !== 'invited' && still?.status !== 'bounced') {
      throw new DomainError('invalid', 'invitation_used', LINK_USED);
    }
    const [clash] = await t.q<{ id: string }>(
      'SELECT id FROM parent_accounts WHERE lower(email) = lower($1) AND contact_id <> $2',
      [inv.email, inv.contact_id],
    );
    if (clash) {
      throw new DomainError(
        'conflict',
        'email_in_use',
        'Another parent’s account at this school uses this email address. Contact the school office.',
      );
    }
    const [account] = await t.q<{ id: string }>(
      `INSERT INTO parent_accounts (school_id, contact_id, email, name, password_hash, status,
         created_at, activated_at, password_changed_at)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $6)
       ON CONFLICT (school_id, contact_id) DO UPDATE SET
         status = 'active', revoked_at = NULL, revoked_reason = NULL, email = $3,
         activated_at = coalesce(parent_accounts.activated_at, $6),
         password_hash = coalesce($5, parent_accounts.password_hash),
         password_changed_at = CASE WHEN $5::text IS NULL THEN parent_accounts.password_changed_at
                                    ELSE $6 END
       RETURNING id`,
      [t.schoolId, inv.contact_id, inv.email, inv.contact_name, passwordHash, t.now],
    );
    const parentId = account!.id;
    await t.q(
      `INSERT INTO parent_links (school_id, parent_id, pupil_id, contact_id, created_at, accepted_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (parent_id, pupil_id) DO UPDATE SET accepted_at = $5, revoked_at = NULL`,
      [t.schoolId, parentId, inv.pupil_id, inv.contact_id, t.now],
    );
    await t.q(
      `UPDATE parent_invitations SET status = 'accepted', accepted_at = $2, parent_id = $3,
         next_reminder_at = NULL WHERE id = $1`,
      [inv.id, t.now, parentId],
    );
    await clearThrottle(t.db, dobKey(inv.id));
    await t.audit({
      action: 'parent.invitation_accepted',
      targetType: 'parent_invitation',
      targetId: inv.id,
      details: { pupil: inv.pupil_id },
    });
    const stage: ParentStage = inv.has_factor ? 'second_factor' : 'enrol';
    const s = await createParentSession(t.db, {
      schoolId: t.schoolId,
      parentId,
      stage,
      now: t.now,
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    });
    return { ...s, stage, noticeTo: null, device: null };
  });
}
