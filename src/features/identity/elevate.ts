// Giving a second factor: finishes a sign-in that is waiting for one, or steps up a signed-in
// session. Protects the second tier: attempts are throttled on the account like passwords; a
// failure is audited with its reason and changes nothing; success ends the old session and
// issues a new one (new id and token) elevated for the school's set minutes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { auditActorOf, originOf, ctx, type Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { inPlatform } from '../../platform/db/tenancy.ts';
import { endSession, type SessionUser, sessionOf } from './sessions.ts';
import { afterIssue, issueSession } from './issue.ts';
import type { FactorMethod } from './second-factor.ts';
import {
  accountKey,
  auditRefusedAttempt,
  checkThrottle,
  LOCK_MINUTES,
  clearThrottle,
  recordFailure,
  throttleMessage,
} from './throttle.ts';

export type FactorCheck =
  { ok: true } | { ok: false; reason: string; counts: boolean; message: string };

/** Runs `check` and, if it passes, elevates; the new session is returned after commit. */
export async function verifyAndElevate(
  services: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  method: FactorMethod,
  check: (t: Tx) => Promise<FactorCheck>,
): Promise<SessionUser> {
  const c = ctx(req);
  const key = accountKey(sessionOf(req).email);
  const throttled = await inPlatform(services.db, (tx) =>
    checkThrottle(tx, [key], services.clock.now()),
  );
  if (!throttled.ok) {
    await c.tx((t) =>
      auditRefusedAttempt(t.db, {
        schoolId: t.actor.schoolId,
        userId: t.actor.userId,
        actor: auditActorOf(originOf(req), sessionOf(req)),
        state: throttled,
        step: sessionOf(req).stage === 'second_factor' ? 'second_factor' : 'step_up',
        now: t.now,
      }),
    );
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled));
  }
  const out = await c.tx(async (t) => {
    const result = await check(t);
    if (!result.ok) {
      const counted = result.counts ? await recordFailure(t.db, key, 'account', t.now) : null;
      await t.audit({
        action: 'auth.second_factor_failed',
        targetType: 'user',
        targetId: t.actor.userId,
        details: { method, reason: result.reason },
      });
      if (counted?.lockedNow) {
        // The same lock a run of wrong passwords brings (sign-in.ts), and the same event.
        await t.q('UPDATE users SET locked_until = $2 WHERE id = $1', [
          t.actor.userId,
          new Date(t.now.getTime() + LOCK_MINUTES * 60_000),
        ]);
        await t.audit({
          action: 'auth.account_locked',
          targetType: 'user',
          targetId: t.actor.userId,
          details: { after: 'second_factor' },
        });
      }
      return result;
    }
    await clearThrottle(t.db, key);
    return { ok: true as const, issued: await elevateIn(services, req, t, sessionOf(req), method) };
  });
  if (!out.ok) throw new DomainError('invalid', 'second_factor_refused', out.message);
  return afterIssue(services, reply, out.issued, sessionOf(req).email, services.clock.now());
}

/** Replaces the session with an elevated one, in the caller's transaction. */
export async function elevateIn(
  services: Services,
  req: FastifyRequest,
  t: Tx,
  user: SessionUser,
  method: FactorMethod,
) {
  const pending = user.stage === 'second_factor';
  await endSession(t.db, user.sessionId, pending ? 'second_factor_given' : 'elevated', t.now);
  const elevatedUntil = new Date(t.now.getTime() + user.settings.elevationMinutes * 60_000);
  const issued = await issueSession(services, req, t.db, {
    schoolId: user.schoolId,
    userId: user.userId,
    name: user.name,
    stage: 'full',
    elevatedUntil,
    ...(pending ? {} : { expiresAt: user.expiresAt }),
    now: t.now,
  });
  if (pending) {
    await t.q('UPDATE users SET last_sign_in_at = $2 WHERE id = $1', [user.userId, t.now]);
    await t.audit({
      action: 'auth.sign_in',
      targetType: 'session',
      targetId: issued.sessionId,
      details: { secondFactor: method },
    });
  }
  await t.audit({
    action: 'auth.elevated',
    targetType: 'session',
    targetId: issued.sessionId,
    details: {
      method,
      until: elevatedUntil.toISOString(),
      previousSession: user.sessionId,
      // The end of a forced enrolment: the school required a factor and this was the first.
      ...(user.mustEnrol ? { enrolment: 'completed' } : {}),
    },
  });
  return issued;
}
