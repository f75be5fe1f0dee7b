// Trust members' sessions (issue 20), in their own table and under their own cookie, never a staff
// or a parent session. The cookie holds 32 random bytes; the database only their SHA-256 (with a
// prefix of its own). Its path is /api/trust, so a browser never sends it to a staff or parent
// route (and their hooks ignore it if sent). A session is `second_factor` after the password (ten
// minutes, good only for the code), `enrol` when the member has no second factor yet (thirty
// minutes, good only for setting one up), then `full`. To change safely: compare on the hash,
// issue a new token at every stage change, and keep ending sessions server-side.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Queryable } from '../../platform/db/engine.ts';
import type { Services } from '../../platform/services.ts';
import { inTrustSession, type TrustActor, type TrustRole } from '../../core/trust-context.ts';

export type TrustStage = 'second_factor' | 'enrol' | 'full';

export const TRUST_COOKIE_PATH = '/api/trust';
export const TRUST_IDLE_MINUTES = 30;
export const TRUST_ABSOLUTE_HOURS = 12;
const STAGE_MINUTES: Record<Exclude<TrustStage, 'full'>, number> = {
  second_factor: 10,
  enrol: 30,
};

export function trustCookieName(config: { tls: boolean }): string {
  return config.tls ? '__Secure-lantern_trust' : 'lantern_trust';
}

function trustCookieOptions(services: Pick<Services, 'config'>) {
  return {
    path: TRUST_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: services.config.tls,
  };
}

export function setTrustCookie(
  reply: FastifyReply,
  services: Pick<Services, 'config'>,
  token: string,
): void {
  reply.setCookie(trustCookieName(services.config), token, trustCookieOptions(services));
}

export function clearTrustCookie(reply: FastifyReply, services: Pick<Services, 'config'>): void {
  reply.clearCookie(trustCookieName(services.config), trustCookieOptions(services));
}

export const hashTrustToken = (token: string) =>
  createHash('sha256').update(`trust:${token}`, 'utf8').digest();

export async function createTrustSession(
  q: Queryable,
  p: { trustId: string; memberId: string; stage: TrustStage; now: Date },
): Promise<{ token: string; sessionId: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const minutes = p.stage === 'full' ? TRUST_ABSOLUTE_HOURS * 60 : STAGE_MINUTES[p.stage];
  const [row] = await q.query<{ id: string }>(
    `INSERT INTO trust_sessions (trust_id, member_id, token_hash, csrf_token, stage, created_at,
       last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id`,
    [
      p.trustId,
      p.memberId,
      hashTrustToken(token),
      csrfToken,
      p.stage,
      p.now,
      new Date(p.now.getTime() + minutes * 60_000),
    ],
  );
  return { token, sessionId: row!.id, csrfToken };
}

export type TrustSession = {
  sessionId: string;
  hash: Buffer;
  member: TrustActor;
  stage: TrustStage;
  csrfToken: string;
  expiresAt: Date;
};

type Row = {
  id: string;
  trust_id: string;
  trust_name: string;
  member_id: string;
  name: string;
  email: string;
  role: TrustRole;
  status: string;
  stage: TrustStage;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
};

export type TrustLookup =
  | { state: 'none' }
  | { state: 'ended'; session: TrustSession; reason: string }
  | { state: 'active'; session: TrustSession };

/** Finds the trust member's session for a cookie token, in the trust's lane, and touches it. */
export async function resolveTrustSession(
  services: Pick<Services, 'db'>,
  token: string,
  now: Date,
): Promise<TrustLookup> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'none' };
  const hash = hashTrustToken(token);
  return inTrustSession(services, hash, async (q) => {
    const [row] = await q.query<Row>(
      `SELECT s.id, s.trust_id, tr.name AS trust_name, s.member_id, m.name, m.email, m.role,
              m.status, s.stage, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at
       FROM trust_sessions s JOIN trust_members m ON m.id = s.member_id
       JOIN trusts tr ON tr.id = s.trust_id
       WHERE s.token_hash = $1 AND s.ended_at IS NULL`,
      [hash],
    );
    if (!row) return { state: 'none' as const };
    const session: TrustSession = {
      sessionId: row.id,
      hash,
      member: {
        memberId: row.member_id,
        trustId: row.trust_id,
        trustName: row.trust_name,
        name: row.name,
        email: row.email,
        role: row.role,
      },
      stage: row.stage,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
    };
    const idleAt = new Date(row.last_seen_at.getTime() + TRUST_IDLE_MINUTES * 60_000);
    const reason =
      row.status !== 'active'
        ? 'disabled'
        : now >= row.expires_at
          ? 'absolute'
          : now >= idleAt
            ? 'idle'
            : null;
    if (reason) {
      await endTrustSession(q, row.id, reason, now);
      return { state: 'ended' as const, session, reason };
    }
    if (now.getTime() - row.last_seen_at.getTime() > 15_000) {
      await q.query('UPDATE trust_sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now]);
    }
    return { state: 'active' as const, session };
  });
}

export async function endTrustSession(
  q: Queryable,
  sessionId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE trust_sessions SET ended_at = $2, end_reason = $3
     WHERE id = $1 AND ended_at IS NULL RETURNING id`,
    [sessionId, now, reason],
  );
  return rows.length > 0;
}
