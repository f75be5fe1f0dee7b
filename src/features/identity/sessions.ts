// Server-side sessions. The cookie holds 32 random bytes; the database holds only their SHA-256,
// so a copy of the sessions table cannot be replayed. A session is `full` or, after a correct
// password when the school requires a second factor, `second_factor` (good only for giving that
// factor, for ten minutes). It ends on sign-out, after the school's idle timeout, at its absolute
// lifetime, when the account is disabled, or when its password changes. To change safely: keep
// token comparison on the hash, keep a new token (and id) at sign-in and at elevation, and keep
// ending sessions server-side.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/engine.ts';
import type { Services } from '../../platform/services.ts';
import { NO_ORIGIN, visitor } from '../../core/context.ts';
import { loadSchoolSettings, readSettings, type SchoolSettings } from '../../core/settings.ts';
import type { Role } from '../../core/access/actor.ts';
import type { Permissions } from '../../core/access/permissions.ts';
import {
  permissionColumnsSql,
  permissionsFrom,
  type PermissionColumns,
} from '../../core/access/load.ts';
import { secondFactorRequired } from '../../core/access/step-up.ts';
import { unauthorised } from '../../core/errors.ts';

/**
 * The session cookie's name. Over TLS it carries the `__Host-` prefix, so a browser accepts it
 * only with Secure, Path=/ and no Domain: no sibling host or plain-http page can set or shadow
 * it. Without TLS the plain name (browsers refuse `__Host-` without Secure). Everything that sets,
 * reads or clears the cookie asks here, so the name can never differ between them.
 */
export function sessionCookieName(config: { tls: boolean }): string {
  return config.tls ? '__Host-lantern_session' : 'lantern_session';
}
/** How long a password-only session waits for its second factor. */
export const PENDING_MINUTES = 10;

export type SessionStage = 'full' | 'second_factor';

export type SessionUser = {
  sessionId: string;
  schoolId: string;
  schoolName: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  csrfToken: string;
  stage: SessionStage;
  elevatedUntil: Date | null;
  elevated: boolean;
  /**
   * The school requires this member's second factor at sign-in and they have none: the session
   * may only set one up (src/core/access/step-up.ts, enrolmentGate). Worked out on every request, so
   * an administrator's reset or a stricter school policy applies at once.
   */
  mustEnrol: boolean;
  expiresAt: Date;
  idleExpiresAt: Date;
  idleWarningMinutes: number;
  permissions: Permissions;
  settings: SchoolSettings;
  /** Where this running version's source can be had (config: LANTERN_SOURCE_URL). */
  sourceUrl: string;
};

/** The signed-in session of this request (identity routes need more than the actor). */
export function sessionOf(req: { auth: SessionUser | null }): SessionUser {
  if (!req.auth) throw unauthorised();
  return req.auth;
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export async function createSession(
  tx: Queryable,
  p: {
    schoolId: string;
    userId: string;
    ip: string | null;
    userAgent: string | null;
    now: Date;
    stage?: SessionStage;
    elevatedUntil?: Date | null;
    /** Keep the absolute lifetime of the session this one replaces (elevation). */
    expiresAt?: Date;
  },
): Promise<{ token: string; sessionId: string }> {
  const settings = await loadSchoolSettings(tx, p.schoolId);
  const token = randomBytes(32).toString('base64url');
  const stage = p.stage ?? 'full';
  const expires =
    stage === 'second_factor'
      ? new Date(p.now.getTime() + PENDING_MINUTES * 60_000)
      : (p.expiresAt ?? new Date(p.now.getTime() + settings.absoluteSessionHours * 3_600_000));
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO sessions (school_id, user_id, token_hash, csrf_token, created_at, last_seen_at,
       expires_at, ip, user_agent, stage, elevated_until)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      p.schoolId,
      p.userId,
      hashToken(token),
      randomBytes(24).toString('base64url'),
      p.now,
      expires,
      p.ip,
      p.userAgent?.slice(0, 500) ?? null,
      stage,
      p.elevatedUntil ?? null,
    ],
  );
  return { token, sessionId: row!.id };
}

type SessionRow = PermissionColumns & {
  id: string;
  school_id: string;
  school_name: string;
  school_settings: unknown;
  user_id: string;
  email: string;
  name: string;
  role: Role;
  csrf_token: string;
  stage: SessionStage;
  elevated_until: Date | null;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  disabled_at: Date | null;
  password_changed_at: Date | null;
  /** A confirmed authenticator app or a security key (read with the session: one query). */
  has_factor: boolean;
};

export type EndReason = 'idle' | 'absolute' | 'disabled' | 'password_changed';

export type SessionLookup =
  | { state: 'none' }
  | { state: 'ended'; schoolId: string; userId: string; sessionId: string; reason: EndReason }
  | { state: 'active'; user: SessionUser };

/**
 * Finds the session for a cookie token, says whether it has lapsed (the caller ends and audits
 * it), and touches it if not. Runs before anyone is known, so through the visitor's door: the
 * one exact token-hash lookup across schools, then the session's own school. Audits nothing.
 */
export async function resolveSession(
  services: Pick<Services, 'db' | 'keys' | 'clock' | 'config'>,
  token: string,
  now: Date,
): Promise<SessionLookup> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'none' };
  const door = visitor(services, NO_ORIGIN);
  // One round trip (issue 12): the look-up finds the session's school, and the session, its
  // member and their grants are read inside that school, under its row-level security.
  const [row] = await door.findInItsSchool<SessionRow>(
    'lantern_find_session',
    hashToken(token),
    `SELECT s.id, s.school_id, sc.name AS school_name, sc.settings AS school_settings, s.user_id,
              u.email, u.name, u.role, s.csrf_token, s.stage, s.elevated_until, s.created_at,
              s.expires_at, s.last_seen_at, u.disabled_at, u.password_changed_at,
              (EXISTS (SELECT 1 FROM totp_credentials t
                       WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
               OR EXISTS (SELECT 1 FROM webauthn_credentials w
                          WHERE w.user_id = u.id AND w.removed_at IS NULL)) AS has_factor,
              ${permissionColumnsSql('s.user_id')}
       FROM sessions s JOIN users u ON u.id = s.user_id JOIN schools sc ON sc.id = s.school_id
       WHERE s.token_hash = $1 AND s.ended_at IS NULL`,
  );
  if (!row) return { state: 'none' } as const;
  const settings = readSettings(row.school_settings);
  const idleExpiresAt = new Date(row.last_seen_at.getTime() + settings.idleTimeoutMinutes * 60_000);
  const reason: EndReason | null = row.disabled_at
    ? 'disabled'
    : row.password_changed_at && row.password_changed_at > row.created_at
      ? 'password_changed'
      : now >= row.expires_at
        ? 'absolute'
        : now >= idleExpiresAt
          ? 'idle'
          : null;
  if (reason) {
    return {
      state: 'ended',
      schoolId: row.school_id,
      userId: row.user_id,
      sessionId: row.id,
      reason,
    } as const;
  }
  // Touch at most every 15 seconds: keeps the idle clock right without a write per request.
  if (now.getTime() - row.last_seen_at.getTime() > 15_000) {
    await door.inSchool(row.school_id, (t) =>
      t.q('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now]),
    );
  }
  const newIdle = new Date(now.getTime() + settings.idleTimeoutMinutes * 60_000);
  const elevated = row.stage === 'full' && row.elevated_until !== null && row.elevated_until > now;
  const permissions = permissionsFrom(row);
  const mustEnrol =
    row.stage === 'full' && secondFactorRequired({ settings, permissions }) && !row.has_factor;
  return {
    state: 'active',
    user: {
      sessionId: row.id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      userId: row.user_id,
      email: row.email,
      name: row.name,
      role: row.role,
      csrfToken: row.csrf_token,
      stage: row.stage,
      elevatedUntil: elevated ? row.elevated_until : null,
      elevated,
      mustEnrol,
      expiresAt: row.expires_at,
      idleExpiresAt: newIdle < row.expires_at ? newIdle : row.expires_at,
      idleWarningMinutes: settings.idleWarningMinutes,
      permissions,
      settings,
      sourceUrl: services.config.sourceUrl,
    },
  } as const;
}

export async function endSession(
  tx: Queryable,
  sessionId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const ended = await tx.query(
    'UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL RETURNING id',
    [sessionId, now, reason],
  );
  // False when it had already ended (by another request or the sweep): audit it only once.
  return ended.length > 0;
}

/** Ends every open session of a user (sign out everywhere, disabling, password change). */
export async function endUserSessions(
  tx: Queryable,
  userId: string,
  reason: string,
  now: Date,
): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE sessions SET ended_at = $2, end_reason = $3
     WHERE user_id = $1 AND ended_at IS NULL RETURNING id`,
    [userId, now, reason],
  );
  return rows.map((r) => r.id);
}
