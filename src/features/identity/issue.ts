// Issuing sessions: the cookie, the new-device check and notice, and the session information the
// UI is given (who, what they may do now and after stepping up, when they time out).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import type { SchoolTx, VisitorTx } from '../../core/context.ts';
import { abilitiesWhenElevated, abilitiesOf } from '../../core/access/actor.ts';
import { secondFactorRequired } from '../../core/access/step-up.ts';
import type { SessionInfo } from '../../shared/schemas/identity.ts';
import { createSession, resolveSession, sessionCookieName, type SessionUser } from './sessions.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, deviceToken, noteDevice } from './devices.ts';
import { sendLater } from '../../platform/mail/outbox.ts';
import { factorSummary, type FactorSummary } from './second-factor.ts';

/** Path=/ and no Domain (what `__Host-` requires); Secure over TLS. */
export function cookieOptions(services: Pick<Services, 'config'>) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: services.config.tls,
  };
}

/**
 * Tells the browser to drop the session cookie, with the attributes it was set with (a browser
 * ignores a `__Host-` cookie's removal that lacks Secure or Path=/).
 */
export function clearSessionCookie(reply: FastifyReply, services: Pick<Services, 'config'>): void {
  reply.clearCookie(sessionCookieName(services.config), cookieOptions(services));
}

export { secondFactorRequired } from '../../core/access/step-up.ts';

export function sessionInfo(u: SessionUser, factors: FactorSummary): SessionInfo {
  const enrolled = factors.totp || factors.webauthn > 0;
  return {
    user: { id: u.userId, name: u.name, email: u.email, role: u.role },
    school: { id: u.schoolId, name: u.schoolName },
    csrfToken: u.csrfToken,
    capabilities: u.mustEnrol ? [] : abilitiesOf(u),
    capabilitiesWhenElevated: abilitiesWhenElevated(u.permissions),
    elevated: u.elevated,
    elevatedUntil: u.elevatedUntil?.toISOString() ?? null,
    secondFactor: {
      enrolled,
      required: secondFactorRequired(u),
      enrolmentRequired: u.mustEnrol,
      ...factors,
    },
    expiresAt: u.expiresAt.toISOString(),
    idleExpiresAt: u.idleExpiresAt.toISOString(),
    idleWarningAt: new Date(
      u.idleExpiresAt.getTime() - u.idleWarningMinutes * 60_000,
    ).toISOString(),
    sourceUrl: u.sourceUrl,
  };
}

/** A member's session information, their second factors read in `t`. */
export async function presentSession(t: Pick<SchoolTx, 'q'>, u: SessionUser): Promise<SessionInfo> {
  return sessionInfo(u, await factorSummary(t, u.userId));
}

/**
 * The transaction a session is issued in: a visitor's at sign-in (whose audit is told who was
 * identified) or the member's own at a step-up (whose audit already names them).
 */
type IssuingTx = Pick<VisitorTx, 'db' | 'schoolId' | 'now' | 'audit'>;

export type Issued = { token: string; sessionId: string; device: string; newDevice: boolean };

/**
 * Creates a session in the caller's transaction and, for a full one, notes the device (auditing
 * a new one). Returns the cookie token and whether to send the new-device notice after commit.
 */
export async function issueSession(
  req: FastifyRequest,
  t: IssuingTx,
  p: {
    userId: string;
    name: string;
    stage: 'full' | 'second_factor';
    elevatedUntil?: Date | null;
    expiresAt?: Date;
  },
): Promise<Issued> {
  const s = await createSession(t.db, {
    schoolId: t.schoolId,
    userId: p.userId,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    now: t.now,
    stage: p.stage,
    elevatedUntil: p.elevatedUntil ?? null,
    ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}),
  });
  const device = deviceToken(req.cookies[DEVICE_COOKIE]);
  let newDevice = false;
  if (p.stage === 'full') {
    newDevice = await noteDevice(t.db, {
      schoolId: t.schoolId,
      userId: p.userId,
      token: device,
      now: t.now,
    });
    if (newDevice) {
      await t.audit(
        { action: 'auth.new_device', targetType: 'user', targetId: p.userId },
        { userId: p.userId, name: p.name },
      );
    }
  }
  return { ...s, device, newDevice };
}

/** Sets the cookies after commit, sends the new-device notice, and reads the session back. */
export async function afterIssue(
  services: Services,
  reply: FastifyReply,
  issued: Pick<Issued, 'token' | 'device' | 'newDevice'>,
  email: string,
  now: Date,
): Promise<SessionUser> {
  reply.setCookie(sessionCookieName(services.config), issued.token, cookieOptions(services));
  reply.setCookie(DEVICE_COOKIE, issued.device, {
    ...cookieOptions(services),
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
  if (issued.newDevice && services.mailer) {
    // Sent by the deferred-work worker after the answer (no sign-in waits for a mail server).
    await sendLater(services, { template: 'new_device', to: email, when: now.toISOString() });
  }
  const resolved = await resolveSession(services, issued.token, now);
  if (resolved.state !== 'active') throw new Error('new session did not resolve');
  return resolved.user;
}
