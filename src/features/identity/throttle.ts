// Sign-in rate limits and temporary locks. Protects accounts from password and code guessing:
// each failure (wrong password, wrong second-factor code) counts against the account (by email,
// so an unknown email is throttled exactly like a known one and the answers cannot tell them
// apart) and against the address. After a few failures each further attempt must wait a growing
// delay; after LOCK_AFTER failures the account is locked for LOCK_MINUTES or until an
// administrator clears it. Only hashes of the keys are stored. To change safely: keep the check
// before any password verification, and keep unknown and known emails on the same path.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../platform/db/engine.ts';
import type { SchoolTx } from '../../core/context.ts';
import { signInFailures } from '../../platform/metrics.ts';

export const WINDOW_MINUTES = 15;
export const ACCOUNT_FREE_FAILURES = 3;
// A school's staff usually share one public address (the school's NAT), so the address limit is
// generous: it slows a guessing run across many accounts without locking out a staff room of
// typos on a Monday morning. The per-account limit is the main guard.
export const ADDRESS_FREE_FAILURES = 100;
export const LOCK_AFTER = 10;
export const LOCK_MINUTES = 30;
const MAX_DELAY_SECONDS = 300;

export const accountKey = (email: string) =>
  createHash('sha256').update(`account:${email.trim().toLowerCase()}`).digest();
export const addressKey = (ip: string | null | undefined) =>
  createHash('sha256')
    .update(`address:${ip ?? 'unknown'}`)
    .digest();

export type ThrottleState =
  { ok: true } | { ok: false; reason: 'delay' | 'locked'; retryAfterSeconds: number };

type Row = {
  failures: number;
  window_started_at: Date;
  next_allowed_at: Date;
  locked_until: Date | null;
};

/** Whether an attempt may be made now under every key given. */
export async function checkThrottle(
  tx: Queryable,
  keys: readonly Buffer[],
  now: Date,
): Promise<ThrottleState> {
  const rows = await tx.query<Row>(
    'SELECT failures, window_started_at, next_allowed_at, locked_until FROM sign_in_throttle WHERE key_hash = ANY($1::bytea[])',
    [keys],
  );
  let worst: ThrottleState = { ok: true };
  for (const r of rows) {
    if (r.locked_until && r.locked_until > now) {
      return { ok: false, reason: 'locked', retryAfterSeconds: secondsUntil(r.locked_until, now) };
    }
    if (r.next_allowed_at > now) {
      worst = {
        ok: false,
        reason: 'delay',
        retryAfterSeconds: secondsUntil(r.next_allowed_at, now),
      };
    }
  }
  return worst;
}

function secondsUntil(t: Date, now: Date): number {
  return Math.max(1, Math.ceil((t.getTime() - now.getTime()) / 1000));
}

/**
 * Whether a refused sign-in for this email should queue its audit work now: at most once a minute
 * per email. The email's throttle row is marked (made if need be, with no failures counted), the
 * same work for a real account and an unknown email.
 */
export async function refusalDue(
  tx: Queryable,
  accountKeyHash: Buffer,
  now: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO sign_in_throttle AS s (key_hash, failures, window_started_at, next_allowed_at,
       refusal_queued_at)
     VALUES ($1, 0, $2, $2, $2)
     ON CONFLICT (key_hash) DO UPDATE SET refusal_queued_at = $2
       WHERE s.refusal_queued_at IS NULL OR s.refusal_queued_at <= $2 - interval '1 minute'
     RETURNING 1`,
    [accountKeyHash, now],
  );
  return rows.length > 0;
}

/** Counts one failure; answers whether this failure started a lock on the account key. */
export async function recordFailure(
  tx: Queryable,
  key: Buffer,
  kind: 'account' | 'address',
  now: Date,
): Promise<{ failures: number; lockedNow: boolean }> {
  if (kind === 'account') signInFailures.inc();
  const [old] = await tx.query<Row>(
    'SELECT failures, window_started_at, next_allowed_at, locked_until FROM sign_in_throttle WHERE key_hash = $1 FOR UPDATE',
    [key],
  );
  const windowStart =
    old && now.getTime() - old.window_started_at.getTime() < WINDOW_MINUTES * 60_000
      ? old.window_started_at
      : now;
  const failures = (old && windowStart === old.window_started_at ? old.failures : 0) + 1;
  const free = kind === 'account' ? ACCOUNT_FREE_FAILURES : ADDRESS_FREE_FAILURES;
  const delay = failures <= free ? 0 : Math.min(2 ** (failures - free), MAX_DELAY_SECONDS);
  const lockedNow = kind === 'account' && failures === LOCK_AFTER;
  const lockedUntil = lockedNow
    ? new Date(now.getTime() + LOCK_MINUTES * 60_000)
    : (old?.locked_until ?? null);
  await tx.query(
    `INSERT INTO sign_in_throttle (key_hash, failures, window_started_at, next_allowed_at, locked_until)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key_hash) DO UPDATE SET failures = $2, window_started_at = $3,
       next_allowed_at = $4, locked_until = $5`,
    [key, failures, windowStart, new Date(now.getTime() + delay * 1000), lockedUntil],
  );
  return { failures, lockedNow };
}

/** A correct sign-in clears the account's failures (never the address's). */
export async function clearThrottle(tx: Queryable, key: Buffer): Promise<void> {
  await tx.query('DELETE FROM sign_in_throttle WHERE key_hash = $1', [key]);
}

export async function lockedUntil(tx: Queryable, email: string, now: Date): Promise<Date | null> {
  const [r] = await tx.query<{ locked_until: Date | null }>(
    'SELECT locked_until FROM sign_in_throttle WHERE key_hash = $1',
    [accountKey(email)],
  );
  return r?.locked_until && r.locked_until > now ? r.locked_until : null;
}

export function throttleMessage(s: Exclude<ThrottleState, { ok: true }>): string {
  return s.reason === 'locked'
    ? 'Signing in to this account is locked for a while after repeated failures. Try again later, or ask your school’s Lantern administrator to unlock it.'
    : `Too many attempts. Wait ${s.retryAfterSeconds} seconds and try again.`;
}

/** How often a run of refused attempts on one account is audited (see auditRefusedAttempt). */
export const REFUSAL_AUDIT_SECONDS = 60;

/**
 * Audits an attempt the throttle refused (429) on a real account: `auth.sign_in_refused` with the
 * reason (`throttled` while a delay runs, `locked` during a lock) and the step refused. At most one
 * such event per account per REFUSAL_AUDIT_SECONDS, so hammering a locked account cannot flood
 * the audit trail; the first refusal of every run is always there. Runs in the account's school
 * transaction, whose audit names whoever it names (nobody at sign-in, the member at a step-up).
 * Callers give unknown emails the same answer without calling this.
 */
export async function auditRefusedAttempt(
  t: Pick<SchoolTx, 'q' | 'schoolId' | 'now' | 'audit'>,
  p: {
    userId: string;
    state: Exclude<ThrottleState, { ok: true }>;
    step: 'password' | 'second_factor' | 'step_up';
  },
): Promise<void> {
  const [recent] = await t.q(
    `SELECT 1 FROM audit_events WHERE school_id = $1 AND target_type = 'user' AND target_id = $2
       AND action = 'auth.sign_in_refused' AND at > $3 LIMIT 1`,
    [t.schoolId, p.userId, new Date(t.now.getTime() - REFUSAL_AUDIT_SECONDS * 1000)],
  );
  if (recent) return;
  await t.audit({
    action: 'auth.sign_in_refused',
    targetType: 'user',
    targetId: p.userId,
    details: {
      reason: p.state.reason === 'locked' ? 'locked' : 'throttled',
      step: p.step,
      retryAfterSeconds: p.state.retryAfterSeconds,
    },
  });
}
