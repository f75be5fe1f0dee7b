// Identity's deferred work (issue 11, finding 12): what a public request used to do before
// answering that depended on whether the email was a real account. A "forgotten password" and a
// throttled sign-in now queue one sealed row whatever the email, answer, and leave the rest to
// the worker (src/platform/queue): look the account up, and — only for a real one — make the link,
// audit and queue the email, or audit the refused attempt. An unknown email's work ends at the
// look-up, with nothing written and nothing logged. The link's 30 minutes start when the worker
// makes it. To change safely: keep the request side identical for every email (one enqueue in the
// same transaction as the throttle), keep anything that depends on the account in the handlers
// below, and keep each handler safe to run twice (work is done at least once).
import type { Queryable } from '../../platform/db/engine.ts';
import type { Services } from '../../platform/services.ts';
import { enqueue, WorkFailed, type WorkHandler } from '../../platform/queue/work-queue.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import { visitor, type Origin } from '../../core/context.ts';
import { createLink, LINK_MINUTES } from './links.ts';
import { auditRefusedAttempt, type ThrottleState } from './throttle.ts';

type Keyed = Pick<Services, 'config' | 'log'>;
type Refusal = Exclude<ThrottleState, { ok: true }>;

const RESET = 'identity.password_reset';
const REFUSED = 'identity.sign_in_refused';

type ResetWork = { email: string; ip: string | null; userAgent: string | null };
/** `at`: when the attempt was refused, the time its audit entry carries and is limited by. */
type RefusedWork = ResetWork & { reason: Refusal['reason']; retryAfterSeconds: number; at: string };

/** Queues the work behind a "forgotten password" (in the throttle's transaction). */
export function queuePasswordReset(
  q: Queryable,
  services: Keyed,
  p: { email: string; origin: Origin; now: Date },
): Promise<void> {
  const work: ResetWork = { email: p.email, ip: p.origin.ip, userAgent: p.origin.userAgent };
  return enqueue(q, services, { kind: RESET, payload: work, now: p.now });
}

/** Queues the audit entry of a sign-in the throttle refused (written only for a real account). */
export function queueRefusedSignIn(
  q: Queryable,
  services: Keyed,
  p: { email: string; origin: Origin; state: Refusal; now: Date },
): Promise<void> {
  const work: RefusedWork = {
    email: p.email,
    ip: p.origin.ip,
    userAgent: p.origin.userAgent,
    reason: p.state.reason,
    retryAfterSeconds: p.state.retryAfterSeconds,
    at: p.now.toISOString(),
  };
  return enqueue(q, services, { kind: REFUSED, payload: work, now: p.now });
}

function isReset(p: unknown): p is ResetWork {
  if (typeof p !== 'object' || p === null) return false;
  const w = p as Record<string, unknown>;
  const orNull = (v: unknown) => v === null || typeof v === 'string';
  return typeof w.email === 'string' && orNull(w.ip) && orNull(w.userAgent);
}

function isRefused(p: unknown): p is RefusedWork {
  if (!isReset(p)) return false;
  const w = p as Record<string, unknown>;
  return (
    (w.reason === 'delay' || w.reason === 'locked') &&
    typeof w.retryAfterSeconds === 'number' &&
    typeof w.at === 'string' &&
    !Number.isNaN(Date.parse(w.at))
  );
}

async function findLogin(services: Services, work: ResetWork, at?: Date) {
  const clock = at ? { now: () => at } : services.clock;
  const door = visitor({ ...services, clock }, { ip: work.ip, userAgent: work.userAgent });
  const [login] = await door.inPlatform((q) =>
    q.query<{ user_id: string; school_id: string; disabled: boolean }>(
      'SELECT user_id, school_id, disabled FROM lantern_find_login($1)',
      [work.email],
    ),
  );
  return { door, login };
}

/**
 * A "forgotten password" for a real, enabled account: a new link (cancelling older ones), the
 * audit entry naming the asker's address, and the email queued — all in one transaction.
 */
const passwordReset: WorkHandler = async (payload, services) => {
  if (!isReset(payload)) throw new WorkFailed('bad_payload', { permanent: true });
  const { door, login } = await findLogin(services, payload);
  if (!login || login.disabled) return;
  await door.inSchool(login.school_id, async (t) => {
    const link = await createLink(t.db, {
      schoolId: login.school_id,
      userId: login.user_id,
      purpose: 'reset',
      now: t.now,
      origin: services.config.publicOrigin,
    });
    await t.audit({
      action: 'auth.password_reset_requested',
      targetType: 'user',
      targetId: login.user_id,
    });
    const expiresAt = new Date(t.now.getTime() + LINK_MINUTES * 60_000).toISOString();
    await queueMail(
      t.db,
      services,
      { template: 'sign_in_link', to: payload.email, link, expiresAt },
      t.now,
    );
  });
};

/**
 * A throttled sign-in on a real account: audited at the time it was refused (at most once a
 * minute per account, counted by those times, however late the worker runs).
 */
const refusedSignIn: WorkHandler = async (payload, services) => {
  if (!isRefused(payload)) throw new WorkFailed('bad_payload', { permanent: true });
  const { door, login } = await findLogin(services, payload, new Date(payload.at));
  if (!login) return;
  await door.inSchool(login.school_id, (t) =>
    auditRefusedAttempt(t, {
      userId: login.user_id,
      state: { ok: false, reason: payload.reason, retryAfterSeconds: payload.retryAfterSeconds },
      step: 'password',
    }),
  );
};

/** Identity's handlers, by kind, for the worker (src/jobs/work-queue.ts). */
export const IDENTITY_WORK = {
  [RESET]: passwordReset,
  [REFUSED]: refusedSignIn,
} as const;
