// A parent's sign-in (issue 21): email and password, then the code from their authenticator app;
// a parent with no second factor yet gets a session good only for setting one up. Protects the
// parents' door: the same Argon2id checks as staff (password-hash.ts), the same RFC 6238
// verifier with its replay guard (totp.ts verifyTotp), the same throttle table and delays under
// parent-only keys, an unknown email answered exactly like a wrong password, a new token at every
// stage. To change safely: keep the throttle check before any password work, and never give a
// session `full` without a verified second factor.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { originOf, visitor, type SchoolTx } from '../../core/context.ts';
import { parentDoor } from '../../core/parent-context.ts';
import { DomainError } from '../../core/errors.ts';
import { checkStoredPassword, verifyAgainstNothing } from '../identity/password-hash.ts';
import {
  addressKey,
  checkThrottle,
  clearThrottle,
  recordFailure,
  throttleMessage,
} from '../identity/throttle.ts';
import {
  formatSecretForManualEntry,
  newTotpSecret,
  otpauthUri,
  qrCodeSvg,
  verifyTotp,
} from '../identity/totp.ts';
import { DEVICE_COOKIE, deviceToken } from '../identity/devices.ts';
import {
  createParentSession,
  endParentSession,
  type ParentSession,
  type ParentStage,
} from './sessions.ts';
import type { ParentTotpEnrolment } from '../../shared/schemas/parents.ts';
import {
  codesForNewFactor,
  newParentRecoveryCodes,
  spendParentRecoveryCode,
} from './recovery-codes.ts';

export const PARENT_WRONG = 'The email address or password is not right.';
export const PARENT_TOTP_FIELD = 'parent_totp.secret' as const;

/** The throttle key of a parent's email: never the same as a staff account's. */
export const parentAccountKey = (email: string) =>
  createHash('sha256').update(`parent-account:${email.trim().toLowerCase()}`).digest();

type Login = { parent_id: string; school_id: string; password_hash: string | null; status: string };

export type Issued = {
  token: string;
  sessionId: string;
  csrfToken: string;
  stage: ParentStage;
  /** A new device's notice to send after commit (to this address). */
  noticeTo: string | null;
  /** The browser's device cookie to set (a full session), else null. */
  device: string | null;
  /** Ten new recovery codes to show once (a first second factor just confirmed). */
  recoveryCodes?: string[];
};

export const throttled = (s: {
  ok: false;
  reason: 'delay' | 'locked';
  retryAfterSeconds: number;
}) =>
  new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(s), {
    retryAfterSeconds: s.retryAfterSeconds,
  });

export async function hasConfirmedFactor(q: Queryable, parentId: string): Promise<boolean> {
  const [r] = await q.query<{ yes: boolean }>(
    `SELECT (EXISTS (SELECT 1 FROM parent_totp WHERE parent_id = $1 AND confirmed_at IS NOT NULL)
      OR EXISTS (SELECT 1 FROM parent_webauthn_credentials
                 WHERE parent_id = $1 AND removed_at IS NULL)) AS yes`,
    [parentId],
  );
  return r?.yes ?? false;
}

/** Email and password: a session waiting for the code, or for a second factor to be set up. */
export async function parentPasswordSignIn(
  services: Services,
  req: FastifyRequest,
  input: { email: string; password: string },
): Promise<Issued> {
  const door = visitor(services, originOf(req));
  const email = input.email.trim().toLowerCase();
  const now = services.clock.now();
  const keys = [parentAccountKey(email), addressKey(req.ip)];
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) throw throttled(state);
  const logins = await door.inPlatform((q) =>
    q.query<Login>('SELECT * FROM lantern_find_parent_login($1)', [email]),
  );
  let found: Login | undefined;
  for (const l of logins) {
    if (l.password_hash && (await checkStoredPassword(l.password_hash, input.password)).ok) {
      found = l;
      break;
    }
  }
  if (logins.length === 0) await verifyAgainstNothing(input.password);
  if (!found || found.status !== 'active') {
    const known = found ?? logins[0];
    await door.inSchool(known?.school_id ?? PLATFORM_SCHOOL_ID, async (t) => {
      await recordFailure(t.db, keys[0]!, 'account', now);
      await recordFailure(t.db, keys[1]!, 'address', now);
      await t.audit({
        action: 'parent.sign_in_failed',
        ...(known && { targetType: 'parent', targetId: known.parent_id }),
        details: {
          reason: !known ? 'unknown_account' : found ? `account_${found.status}` : 'wrong_password',
        },
      });
    });
    throw new DomainError('unauthorised', 'sign_in_failed', PARENT_WRONG);
  }
  const login = found;
  return door.inSchool(login.school_id, async (t) => {
    await clearThrottle(t.db, keys[0]!);
    const stage: ParentStage = (await hasConfirmedFactor(t.db, login.parent_id))
      ? 'second_factor'
      : 'enrol';
    const s = await createParentSession(t.db, {
      schoolId: t.schoolId,
      parentId: login.parent_id,
      stage,
      now: t.now,
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    });
    return { ...s, stage, noticeTo: null, device: null };
  });
}

/** Moves the session on to `stage` with a new token (and notes the device once full). */
export async function advance(
  t: SchoolTx,
  req: FastifyRequest,
  s: ParentSession,
  stage: ParentStage,
): Promise<Issued> {
  await endParentSession(t.db, s.sessionId, 'advanced', t.now);
  const next = await createParentSession(t.db, {
    schoolId: s.schoolId,
    parentId: s.parentId,
    stage,
    now: t.now,
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent'] ?? null,
  });
  let noticeTo: string | null = null;
  let device: string | null = null;
  if (stage === 'full') {
    device = deviceToken(req.cookies[DEVICE_COOKIE]);
    const hash = createHash('sha256').update(device, 'utf8').digest();
    const seen = await t.q(
      `UPDATE parent_devices SET last_seen_at = $3 WHERE parent_id = $1 AND device_hash = $2
       RETURNING 1`,
      [s.parentId, hash, t.now],
    );
    if (seen.length === 0) {
      await t.q(
        `INSERT INTO parent_devices (school_id, parent_id, device_hash, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $4)`,
        [s.schoolId, s.parentId, hash, t.now],
      );
      // The very first device (just after setting up the second factor) is not news.
      const [{ n } = { n: 0 }] = await t.q<{ n: number }>(
        'SELECT count(*)::int AS n FROM parent_devices WHERE parent_id = $1',
        [s.parentId],
      );
      if (n > 1) {
        await t.audit({ action: 'parent.new_device', targetType: 'parent', targetId: s.parentId });
        noticeTo = s.email;
      }
    }
  }
  return { ...next, stage, noticeTo, device };
}

/** Checks a code against the parent's authenticator and keeps its step (never twice). */
export async function checkParentTotp(
  t: SchoolTx,
  parentId: string,
  code: string,
  which: 'confirmed' | 'pending',
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const [row] = await t.q<{ secret_sealed: Buffer; last_step: string | null }>(
    `SELECT secret_sealed, last_step FROM parent_totp WHERE parent_id = $1
       AND confirmed_at IS ${which === 'confirmed' ? 'NOT NULL' : 'NULL'} FOR UPDATE`,
    [parentId],
  );
  if (!row) return { ok: false, reason: 'none' };
  const secret = (await t.sealer()).open(
    PARENT_TOTP_FIELD,
    parentId,
    Buffer.from(row.secret_sealed),
  );
  const r = verifyTotp(secret, code, {
    lastUsedStep: row.last_step === null ? null : Number(row.last_step),
    now: t.now,
  });
  if (!r.ok) return r;
  await t.q(
    `UPDATE parent_totp SET last_step = $2, confirmed_at = coalesce(confirmed_at, $3)
     WHERE parent_id = $1`,
    [parentId, r.step, t.now],
  );
  return { ok: true };
}

const WRONG_CODE =
  'That code is not right. Enter the 6-digit code your authenticator app shows now.';

/**
 * The code that finishes signing in (a `second_factor` session) or confirms a new authenticator
 * app (an `enrol` session). A wrong code is counted against the account and audited.
 */
export async function parentGiveCode(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
  code: string,
): Promise<Issued> {
  const door = visitor(services, originOf(req));
  const mine = parentDoor(services, originOf(req), s.schoolId, s.name);
  const keys = [parentAccountKey(s.email), addressKey(req.ip)];
  const now = services.clock.now();
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) throw throttled(state);
  const which = s.stage === 'enrol' ? 'pending' : 'confirmed';
  const result = await mine.tx(async (t) => {
    const r = await checkParentTotp(t, s.parentId, code, which);
    if (!r.ok) return r;
    await clearThrottle(t.db, keys[0]!);
    let recoveryCodes: string[] | null = null;
    if (which === 'pending') {
      await t.audit({
        action: 'parent.second_factor_added',
        targetType: 'parent',
        targetId: s.parentId,
        details: { method: 'totp' },
      });
      recoveryCodes = await codesForNewFactor(t, s.parentId);
    }
    await t.audit({
      action: 'parent.signed_in',
      targetType: 'parent',
      targetId: s.parentId,
      details: { secondFactor: 'totp' },
    });
    const issued = await advance(t, req, s, 'full');
    return { ok: true as const, issued: withCodes(issued, recoveryCodes) };
  });
  if (result.ok) return result.issued;
  await recordFactorFailure(mine, s, keys, 'totp', result.reason, now);
  throw new DomainError('unauthorised', 'wrong_code', WRONG_CODE);
}

export const withCodes = (issued: Issued, codes: string[] | null): Issued =>
  codes ? { ...issued, recoveryCodes: codes } : issued;

const WRONG_RECOVERY_CODE =
  'That recovery code is not right, or it has been used already. Check it and try again.';

/**
 * A recovery code in place of the authenticator code (a `second_factor` session only): each
 * works once; a wrong one is counted and audited exactly like a wrong authenticator code.
 */
export async function parentUseRecoveryCode(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
  code: string,
): Promise<Issued> {
  if (s.stage !== 'second_factor') {
    throw new DomainError(
      'conflict',
      'conflict',
      'A recovery code is used only when signing in with a second factor already set up.',
    );
  }
  const door = visitor(services, originOf(req));
  const mine = parentDoor(services, originOf(req), s.schoolId, s.name);
  const keys = [parentAccountKey(s.email), addressKey(req.ip)];
  const now = services.clock.now();
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) throw throttled(state);
  const issued = await mine.tx(async (t) => {
    if (!(await spendParentRecoveryCode(t, s.parentId, code))) return null;
    await clearThrottle(t.db, keys[0]!);
    await t.audit({
      action: 'parent.signed_in',
      targetType: 'parent',
      targetId: s.parentId,
      details: { secondFactor: 'recovery_code' },
    });
    return advance(t, req, s, 'full');
  });
  if (issued) return issued;
  await recordFactorFailure(mine, s, keys, 'recovery_code', 'invalid', now);
  throw new DomainError('unauthorised', 'wrong_recovery_code', WRONG_RECOVERY_CODE);
}

/**
 * Ten new recovery codes for a signed-in parent, the old ones void: only with a code from their
 * authenticator app now (a wrong one counted, audited and refused like at sign-in).
 */
export async function parentRegenerateRecoveryCodes(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
  code: string,
): Promise<string[]> {
  const door = visitor(services, originOf(req));
  const mine = parentDoor(services, originOf(req), s.schoolId, s.name);
  const keys = [parentAccountKey(s.email), addressKey(req.ip)];
  const now = services.clock.now();
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) throw throttled(state);
  const result = await mine.tx(async (t) => {
    const r = await checkParentTotp(t, s.parentId, code, 'confirmed');
    if (!r.ok) return r;
    await clearThrottle(t.db, keys[0]!);
    return { ok: true as const, codes: await newParentRecoveryCodes(t, s.parentId, 'regenerated') };
  });
  if (result.ok) return result.codes;
  if (result.reason === 'none') {
    throw new DomainError(
      'conflict',
      'no_authenticator_app',
      'New recovery codes need a code from an authenticator app, and none is set up. Ask the school to reset your second factor.',
    );
  }
  await recordFactorFailure(mine, s, keys, 'totp', result.reason, now);
  // 400, not 401: the parent stays signed in.
  throw new DomainError('invalid', 'wrong_code', WRONG_CODE);
}

/** A refused second factor: counted against the account and the address, audited as the parent. */
export async function recordFactorFailure(
  mine: ReturnType<typeof parentDoor>,
  s: ParentSession,
  keys: Buffer[],
  method: 'totp' | 'webauthn' | 'recovery_code',
  reason: string,
  now: Date,
): Promise<void> {
  await mine.tx(async (t) => {
    await recordFailure(t.db, keys[0]!, 'account', now);
    await recordFailure(t.db, keys[1]!, 'address', now);
    await t.audit({
      action: 'parent.second_factor_failed',
      targetType: 'parent',
      targetId: s.parentId,
      details: { method, reason },
    });
  });
}

/** Starts (or restarts) setting up the authenticator app of a parent who has none. */
export async function parentStartTotp(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
): Promise<ParentTotpEnrolment> {
  const secret = newTotpSecret();
  await parentDoor(services, originOf(req), s.schoolId, s.name).tx(async (t) => {
    if (await hasConfirmedFactor(t.db, s.parentId)) {
      throw new DomainError('conflict', 'conflict', 'An authenticator app is already set up.');
    }
    const sealed = (await t.sealer()).seal(PARENT_TOTP_FIELD, s.parentId, secret);
    await t.q(
      `INSERT INTO parent_totp (parent_id, school_id, secret_sealed, created_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (parent_id) DO UPDATE SET secret_sealed = $3, created_at = $4, last_step = NULL`,
      [s.parentId, s.schoolId, sealed, t.now],
    );
  });
  const uri = otpauthUri(secret, { issuer: `Lantern (${s.schoolName})`, label: s.email });
  return {
    qrSvg: await qrCodeSvg(uri),
    manualKey: formatSecretForManualEntry(secret),
    otpauthUri: uri,
  };
}

/** Signs this session out (any stage), audited as the parent. */
export async function parentSignOut(
  services: Services,
  req: FastifyRequest,
  s: ParentSession,
): Promise<void> {
  await parentDoor(services, originOf(req), s.schoolId, s.name).tx(async (t) => {
    if (!(await endParentSession(t.db, s.sessionId, 'signed_out', t.now))) return;
    await t.audit({ action: 'parent.signed_out', targetType: 'parent', targetId: s.parentId });
  });
}
