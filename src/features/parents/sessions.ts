// Parents' sessions (issue 21), in their own table and under their own cookie, never a staff
// session. The cookie holds 32 random bytes; the database only their SHA-256. Its path is
// /api/parent, so a browser never sends it to a staff route (and the staff hook ignores it if
// sent). A session is `second_factor` after the password (ten minutes, good only for the code),
// `enrol` when the parent has no second factor yet (thirty minutes, good only for setting one up:
// a second factor is required of every parent), then `full`. To change safely: compare on the
// hash, issue a new token at every stage change, and keep ending sessions server-side.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Queryable } from '../../platform/db/engine.ts';
import type { Services } from '../../platform/services.ts';
import { NO_ORIGIN, visitor } from '../../core/context.ts';

export type ParentStage = 'second_factor' | 'enrol' | 'full';

export const PARENT_COOKIE_PATH = '/api/parent';
export const PARENT_IDLE_MINUTES = 30;
export const PARENT_ABSOLUTE_HOURS = 12;
const STAGE_MINUTES: Record<Exclude<ParentStage, 'full'>, number> = {
  second_factor: 10,
  enrol: 30,
};

/** `__Secure-` over TLS (a `__Host-` cookie must have Path=/, and this one is /api/parent). */
export function parentCookieName(config: { tls: boolean }): string {
  return config.tls ? '__Secure-lantern_parent' : 'lantern_parent';
}

export function parentCookieOptions(services: Pick<Services, 'config'>) {
  return {
    path: PARENT_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: services.config.tls,
  };
}

export function setParentCookie(
  reply: FastifyReply,
  services: Pick<Services, 'config'>,
  token: string,
): void {
  reply.setCookie(parentCookieName(services.config), token, parentCookieOptions(services));
}

export function clearParentCookie(reply: FastifyReply, services: Pick<Services, 'config'>): void {
  reply.clearCookie(parentCookieName(services.config), parentCookieOptions(services));
}

export const hashParentToken = (token: string) =>
  createHash('sha256').update(`parent:${token}`, 'utf8').digest();

export async function createParentSession(
  q: Queryable,
  p: {
    schoolId: string;
    parentId: string;
    stage: ParentStage;
    now: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<{ token: string; sessionId: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const minutes = p.stage === 'full' ? PARENT_ABSOLUTE_HOURS * 60 : STAGE_MINUTES[p.stage];
  const [row] = await q.query<{ id: string }>(
    `INSERT INTO parent_sessions (school_id, parent_id, token_hash, csrf_token, stage, created_at,
       last_seen_at, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING id`,
    [
      p.schoolId,
      p.parentId,
      hashParentToken(token),
      csrfToken,
      p.stage,
      p.now,
      new Date(p.now.getTime() + minutes * 60_000),
      p.ip,
      p.userAgent?.slice(0, 500) ?? null,
    ],
  );
  return { token, sessionId: row!.id, csrfToken };
}

export type ParentSession = {
  sessionId: string;
  schoolId: string;
  schoolName: string;
  parentId: string;
  contactId: string;
  name: string;
  email: string;
  stage: ParentStage;
  csrfToken: string;
  expiresAt: Date;
};

type Row = {
  id: string;
  school_id: string;
  school_name: string;
  parent_id: string;
  contact_id: string;
  name: string;
  email: string;
  stage: ParentStage;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  status: string;
  password_changed_at: Date | null;
};

export type ParentLookup =
  | { state: 'none' }
  | { state: 'ended'; schoolId: string; sessionId: string; parentId: string; reason: string }
  | { state: 'active'; session: ParentSession };

/** Finds the parent's session for a cookie token, and touches it. Audits nothing. */
export async function resolveParentSession(
  services: Pick<Services, 'db' | 'keys' | 'clock'>,
  token: string,
  now: Date,
): Promise<ParentLookup> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'none' };
  const door = visitor(services, NO_ORIGIN);
  const [row] = await door.findInItsSchool<Row>(
    'lantern_find_parent_session',
    hashParentToken(token),
    `SELECT s.id, s.school_id, sc.name AS school_name, s.parent_id, a.contact_id, a.name, a.email,
            s.stage, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, a.status,
            a.password_changed_at
     FROM parent_sessions s JOIN parent_accounts a ON a.id = s.parent_id
     JOIN schools sc ON sc.id = s.school_id
     WHERE s.token_hash = $1 AND s.ended_at IS NULL`,
  );
  if (!row) return { state: 'none' };
  const idleAt = new Date(row.last_seen_at.getTime() + PARENT_IDLE_MINUTES * 60_000);
  const reason =
    row.status !== 'active'
      ? 'revoked'
      : row.password_changed_at && row.password_changed_at > row.created_at
        ? 'password_changed'
        : now >= row.expires_at
          ? 'absolute'
          : now >= idleAt
            ? 'idle'
            : null;
  if (reason) {
    return {
      state: 'ended',
      schoolId: row.school_id,
      sessionId: row.id,
      parentId: row.parent_id,
      reason,
    };
  }
  if (now.getTime() - row.last_seen_at.getTime() > 15_000) {
    await door.inSchool(row.school_id, (t) =>
      t.q('UPDATE parent_sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now]),
    );
  }
  return {
    state: 'active',
    session: {
      sessionId: row.id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      parentId: row.parent_id,
      contactId: row.contact_id,
      name: row.name,
      email: row.email,
      stage: row.stage,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
    },
  };
}

export async function endParentSession(
  q: Queryable,
  sessionId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE parent_sessions SET ended_at = $2, end_reason = $3
     WHERE id = $1 AND ended_at IS NULL RETURNING id`,
    [sessionId, now, reason],
  );
  return rows.length > 0;
}

/** Ends every open session of a parent (access revoked, signed out everywhere). */
export async function endParentSessions(
  q: Queryable,
  parentId: string,
  reason: string,
  now: Date,
): Promise<number> {
  const rows = await q.query(
    `UPDATE parent_sessions SET ended_at = $2, end_reason = $3
     WHERE parent_id = $1 AND ended_at IS NULL RETURNING id`,
    [parentId, now, reason],
  );
  return rows.length;
}
