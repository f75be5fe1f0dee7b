// Signing in with a password. Protects the front door: throttled per account and per address
// before any verification; one Argon2id verification whether or not the account exists; the
// same answer for an unknown email, a wrong password and a disabled account; every outcome
// audited with its reason (a throttled attempt on a real account by the deferred-work worker,
// after the answer, so a refusal is the same work for any email: issue 11, finding 12). A correct password yields a full (first-tier) session, or — when the
// school requires a second factor of this user and they have one — a session that can only give
// that factor. To change safely: keep the throttle check first and the answers indistinguishable.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { originOf, visitor } from '../../core/context.ts';
import { DomainError, type ErrorKind } from '../../core/errors.ts';
import { loadPermissions } from '../../core/access/load.ts';
import type { FactorMethod } from '../../shared/schemas/identity.ts';
import { checkStoredPassword, hashPassword, verifyAgainstNothing } from './password-hash.ts';
import { isPasswordExpired } from './password-policy.ts';
import { queueRefusedSignIn } from './deferred-work.ts';
import { wakeWorker } from '../../platform/queue/worker.ts';
import { endSession } from './sessions.ts';
import { loadSchoolSettings } from '../../core/settings.ts';
import { isDormant } from './passwords.ts';
import { factorSummary, hasFactor } from './second-factor.ts';
import { issueSession, secondFactorRequired, type Issued } from './issue.ts';
import {
  accountKey,
  addressKey,
  checkThrottle,
  clearThrottle,
  recordFailure,
  refusalDue,
  throttleMessage,
} from './throttle.ts';

export const WRONG = 'The email address or password is not right.';

export type SignInOutcome = {
  issued: Issued;
  stage: 'full' | 'second_factor';
  methods: FactorMethod[];
  email: string;
};

type UserRow = {
  id: string;
  name: string;
  email: string;
  last_sign_in_at: Date | null;
  reactivated_at: Date | null;
  activated_at: Date | null;
  created_at: Date;
  password_changed_at: Date | null;
};

/**
 * Checks the password and issues the session, through the visitor's door: audit entries name
 * nobody until the password is right, then the account's holder.
 */
export async function signInWithPassword(
  services: Services,
  req: FastifyRequest,
  input: { email: string; password: string },
): Promise<SignInOutcome> {
  const door = visitor(services, originOf(req));
  const email = input.email.trim().toLowerCase();
  const now = services.clock.now();
  const keys = [accountKey(email), addressKey(req.ip)];
  const throttled = await door.inPlatform(async (q) => {
    const state = await checkThrottle(q, keys, now);
    // A refused attempt is audited only when the email is a real account's, so whether it is
    // one is left to the worker (deferred-work.ts): the answer is the same work for any email.
    // At most once a minute per email, so a client already refused cannot grow the queue.
    if (!state.ok && (await refusalDue(q, keys[0]!, now)))
      await queueRefusedSignIn(q, services, { email, origin: door.origin, state, now });
    return state;
  });
  if (!throttled.ok) {
    wakeWorker(services);
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled), {
      retryAfterSeconds: throttled.retryAfterSeconds,
    });
  }
  const [login] = await door.inPlatform((q) =>
    q.query<{
      user_id: string;
      school_id: string;
      password_hash: string | null;
      disabled: boolean;
    }>('SELECT * FROM lantern_find_login($1)', [email]),
  );
  const verdict = login?.password_hash
    ? await checkStoredPassword(login.password_hash, input.password)
    : { ok: await verifyAgainstNothing(input.password), rehash: false };
  const ok = verdict.ok;
  // An unknown email's failure is counted and audited in the platform's own chain.
  const schoolId = login?.school_id ?? PLATFORM_SCHOOL_ID;
  const fail = async (
    reason: string,
    kind: ErrorKind = 'unauthorised',
    code = 'sign_in_failed',
    msg = WRONG,
  ) => {
    await door.inSchool(schoolId, async (t) => {
      const account = await recordFailure(t.db, keys[0]!, 'account', now);
      await recordFailure(t.db, keys[1]!, 'address', now);
      await t.audit({
        action: 'auth.sign_in_failed',
        targetType: login ? 'user' : undefined,
        targetId: login?.user_id,
        details: { reason },
      });
      if (account.lockedNow && login) {
        await t.q('UPDATE users SET locked_until = $2 WHERE id = $1', [
          login.user_id,
          new Date(now.getTime() + 30 * 60_000),
        ]);
        await t.audit({
          action: 'auth.account_locked',
          targetType: 'user',
          targetId: login.user_id,
        });
      }
    });
    return new DomainError(kind, code, msg);
  };
  if (!login || !ok || login.disabled) {
    throw await fail(
      !login ? 'unknown_account' : login.disabled ? 'account_disabled' : 'wrong_password',
    );
  }
  const previous = req.auth;
  // A correct password whose hash is un-normalised or weaker than today's parameters is hashed
  // afresh (outside the transaction: Argon2id takes a while) and stored with the sign-in.
  const upgraded = verdict.rehash ? await hashPassword(input.password) : null;
  const result = await door.inSchool(login.school_id, async (t) => {
    const [user] = await t.q<UserRow>(
      `SELECT id, name, email, last_sign_in_at, reactivated_at, activated_at, created_at,
              password_changed_at FROM users WHERE id = $1`,
      [login.user_id],
    );
    if (!user) throw new Error('login row without user');
    const settings = await loadSchoolSettings(t.db, login.school_id);
    if (isDormant(user, settings.dormancyDays, now)) return { refused: 'dormant' } as const;
    const changed = user.password_changed_at ?? user.activated_at ?? user.created_at;
    if (isPasswordExpired(settings.passwordPolicy, changed, now)) {
      return { refused: 'password_expired' } as const;
    }
    await clearThrottle(t.db, keys[0]!);
    await t.q('UPDATE users SET locked_until = NULL WHERE id = $1', [user.id]);
    if (upgraded) {
      // Only if the hash is still the one just checked (a concurrent change wins).
      await t.q('UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [
        user.id,
        upgraded,
        login.password_hash,
      ]);
    }
    if (previous) await endSession(t.db, previous.sessionId, 'replaced', now);
    const permissions = await loadPermissions(t.db, user.id);
    const factors = await factorSummary(t, user.id);
    const required = secondFactorRequired({ settings, permissions });
    const pending = hasFactor(factors) && required;
    // Required but none set up: a session that may only enrol one (access/step-up.ts).
    const mustEnrol = required && !hasFactor(factors);
    const issued = await issueSession(req, t, {
      userId: user.id,
      name: user.name,
      stage: pending ? 'second_factor' : 'full',
    });
    if (!pending) {
      await t.q('UPDATE users SET last_sign_in_at = $2 WHERE id = $1', [user.id, now]);
    }
    await t.audit(
      {
        action: pending ? 'auth.password_accepted' : 'auth.sign_in',
        targetType: 'session',
        targetId: issued.sessionId,
        details: { secondFactor: pending ? 'pending' : mustEnrol ? 'enrolment_required' : 'none' },
      },
      { userId: user.id, name: user.name },
    );
    const methods: FactorMethod[] = [];
    if (factors.totp) methods.push('totp');
    if (factors.webauthn > 0) methods.push('webauthn');
    if (factors.recoveryCodesLeft > 0) methods.push('recovery_code');
    return {
      issued,
      stage: pending ? 'second_factor' : 'full',
      methods,
      email: user.email,
    } as const;
  });
  if ('refused' in result) {
    if (result.refused === 'dormant') {
      throw await fail(
        'account_dormant',
        'forbidden',
        'account_dormant',
        'This account has not been used for a long time and has been made dormant. Use “Forgotten password” to get a link by email, or ask your school’s Lantern administrator to reactivate it.',
      );
    }
    throw await fail(
      'password_expired',
      'forbidden',
      'password_expired',
      'Your password has expired. Use “Forgotten password” to set a new one.',
    );
  }
  return result;
}
