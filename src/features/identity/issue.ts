// Issuing sessions: the cookie, the new-device check and notice, and the session information the
// UI is given (who, what they may do now and after stepping up, when they time out).
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { appendAudit } from '../../platform/audit/chain.ts';
import { auditActorOf, originOf } from '../../core/context.ts';
import { abilitiesWhenElevated, abilitiesOf } from '../../core/access/actor.ts';
import { secondFactorRequired } from '../../core/access/step-up.ts';
import { createSession, resolveSession, SESSION_COOKIE, type SessionUser } from './sessions.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, deviceToken, noteDevice } from './devices.ts';
import { newDeviceEmail } from '../../platform/mail/mailer.ts';
import type { FactorSummary } from './second-factor.ts';

export const SessionInfo = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
  }),
  school: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String(),
  capabilities: Type.Array(Type.String(), {
    description: 'What this user may do now; the UI shows only these (the server still checks).',
  }),
  capabilitiesWhenElevated: Type.Array(Type.String(), {
    description: 'What they may do after stepping up with a second factor.',
  }),
  elevated: Type.Boolean(),
  elevatedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  secondFactor: Type.Object({
    enrolled: Type.Boolean(),
    required: Type.Boolean({ description: 'The school requires this user to enrol one.' }),
    enrolmentRequired: Type.Boolean({
      description:
        'Required but none set up: this session may only set one up (then it is elevated).',
    }),
    totp: Type.Boolean(),
    webauthn: Type.Integer(),
    recoveryCodesLeft: Type.Integer(),
  }),
  expiresAt: Type.String({ format: 'date-time' }),
  idleExpiresAt: Type.String({ format: 'date-time' }),
  idleWarningAt: Type.String({ format: 'date-time' }),
});

export const PendingInfo = Type.Object({
  secondFactorRequired: Type.Literal(true),
  methods: Type.Array(
    Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('webauthn')]),
  ),
  csrfToken: Type.String(),
});

export function cookieOptions(services: Services) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: services.config.tls,
  };
}

export { secondFactorRequired } from '../../core/access/step-up.ts';

export function sessionInfo(u: SessionUser, factors: FactorSummary) {
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
  };
}

/**
 * Creates a session in the caller's transaction and, for a full one, notes the device (auditing
 * a new one). Returns the cookie token and whether to send the new-device notice after commit.
 */
export async function issueSession(
  services: Services,
  req: FastifyRequest,
  tx: Queryable,
  p: {
    schoolId: string;
    userId: string;
    name: string;
    stage: 'full' | 'second_factor';
    elevatedUntil?: Date | null;
    expiresAt?: Date;
    now: Date;
  },
): Promise<{ token: string; sessionId: string; device: string; newDevice: boolean }> {
  const s = await createSession(tx, {
    schoolId: p.schoolId,
    userId: p.userId,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    now: p.now,
    stage: p.stage,
    elevatedUntil: p.elevatedUntil ?? null,
    ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}),
  });
  const device = deviceToken(req.cookies[DEVICE_COOKIE]);
  let newDevice = false;
  if (p.stage === 'full') {
    newDevice = await noteDevice(tx, { ...p, token: device });
    if (newDevice) {
      await appendAudit(
        tx,
        p.schoolId,
        auditActorOf(originOf(req), { userId: p.userId, name: p.name }),
        { action: 'auth.new_device', targetType: 'user', targetId: p.userId },
        p.now,
      );
    }
  }
  return { ...s, device, newDevice };
}

/** Sets the cookies after commit, sends the new-device notice, and reads the session back. */
export async function afterIssue(
  services: Services,
  reply: FastifyReply,
  issued: { token: string; device: string; newDevice: boolean },
  email: string,
  now: Date,
): Promise<SessionUser> {
  reply.setCookie(SESSION_COOKIE, issued.token, cookieOptions(services));
  reply.setCookie(DEVICE_COOKIE, issued.device, {
    ...cookieOptions(services),
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
  if (issued.newDevice && services.mailer) {
    try {
      await services.mailer.send({ to: email, ...newDeviceEmail({ when: now }) });
    } catch {
      services.log.warn('new-device notice could not be sent (mail server refused or unreachable)');
    }
  }
  const resolved = await resolveSession(services.db, issued.token, now);
  if (resolved.state !== 'active') throw new Error('new session did not resolve');
  return resolved.user;
}
