// Giving a second factor: finishes a sign-in that is waiting for one, or steps up a signed-in
// session. Protects the second tier: attempts are throttled on the account like passwords; a
// failure is audited with its reason and changes nothing; success ends the old session and
// issues a new one (new id and token) elevated for the school's set minutes. The checks of a typed
// code (authenticator app, recovery code) are here; a security key's is in security-keys.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { ctx, type Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import type { FactorMethod } from '../../shared/schemas/identity.ts';
import { endSession, type SessionUser, sessionOf } from './sessions.ts';
import { afterIssue, issueSession } from './issue.ts';
import { checkTotp, spendRecoveryCode } from './second-factor.ts';
import {
  accountKey,
  auditRefusedAttempt,
  checkThrottle,
  LOCK_MINUTES,
  clearThrottle,
  recordFailure,
  throttleMessage,
} from './throttle.ts';

/**
 * A factor given: accepted, or refused with the audited reason, whether it counts toward the
 * account's lock, and the message the person sees.
 */
export type FactorCheck =
  { ok: true } | { ok: false; reason: string; counts: boolean; message: string };

const BAD_CODE = 'That code is not right. Check your authenticator app and try again.';
const REPLAYED = 'That code has already been used. Wait for the next code and try again.';

/** An authenticator-app code, against the confirmed app or the one being enrolled. */
export async function totpCheck(
  t: Tx,
  code: string,
  which: 'confirmed' | 'pending',
): Promise<FactorCheck> {
  const r = await checkTotp(t, t.actor.userId, code, which);
  if (r.ok) return { ok: true };
  switch (r.reason) {
    case 'invalid':
      return { ok: false, reason: r.reason, counts: true, message: BAD_CODE };
    case 'replayed':
      return { ok: false, reason: r.reason, counts: true, message: REPLAYED };
    case 'none':
      return {
        ok: false,
        reason: r.reason,
        counts: false,
        message: 'No authenticator app is set up for this account.',
      };
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** A recovery code (each works once). */
export async function recoveryCodeCheck(t: Tx, code: string): Promise<FactorCheck> {
  return (await spendRecoveryCode(t, t.actor.userId, code))
    ? { ok: true }
    : {
        ok: false,
        reason: 'invalid',
        counts: true,
        message: 'That recovery code is not right, or it has been used already.',
      };
}

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
  const throttled = await c.tx(async (t) => {
    const state = await checkThrottle(t.db, [key], t.now);
    if (!state.ok) {
      await auditRefusedAttempt(t, {
        userId: t.actor.userId,
        state,
        step: sessionOf(req).stage === 'second_factor' ? 'second_factor' : 'step_up',
      });
    }
    return state;
  });
  if (!throttled.ok) {
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled), {
      retryAfterSeconds: throttled.retryAfterSeconds,
    });
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
    return { ok: true as const, issued: await elevateIn(req, t, sessionOf(req), method) };
  });
  if (!out.ok) throw new DomainError('invalid', 'second_factor_refused', out.message);
  return afterIssue(services, reply, out.issued, sessionOf(req).email, services.clock.now());
}

/** Replaces the session with an elevated one, in the caller's transaction. */
export async function elevateIn(
  req: FastifyRequest,
  t: Tx,
  user: SessionUser,
  method: FactorMethod,
) {
  const pending = user.stage === 'second_factor';
  await endSession(t.db, user.sessionId, pending ? 'second_factor_given' : 'elevated', t.now);
  const elevatedUntil = new Date(t.now.getTime() + user.settings.elevationMinutes * 60_000);
  const issued = await issueSession(req, t, {
    userId: user.userId,
    name: user.name,
    stage: 'full',
    elevatedUntil,
    ...(pending ? {} : { expiresAt: user.expiresAt }),
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
