// A trust member's sign-in (issue 20): email and password, then the code from their authenticator
// app; a member with no second factor yet gets a session good only for setting one up. Protects
// the trust's door with the identity machinery itself (not a copy): the same Argon2id check
// (password-hash.ts), the same RFC 6238 verifier with its replay guard (totp.ts), the same
// throttle table and delays under trust-only keys, an unknown email answered exactly like a wrong
// password, a new token at every stage. The authenticator secret belongs to no school, so it is
// sealed under the master key (SchoolKeys.sealUnderMaster). To change safely: keep the throttle
// check before any password work, and never give a session `full` without a verified code.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../platform/db/tenancy.ts';
import { originOf, visitor } from '../../core/context.ts';
import { trustMemberDoor, type TrustLaneTx, type TrustRole } from '../../core/trust-context.ts';
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
import {
  createTrustSession,
  endTrustSession,
  type TrustSession,
  type TrustStage,
} from './sessions.ts';
import type { TrustTotpEnrolment } from '../../shared/schemas/trust.ts';

export const TRUST_WRONG = 'The email address or password is not right.';
const WRONG_CODE =
  'That code is not right. Enter the 6-digit code your authenticator app shows now.';

/** The throttle key of a trust member's email: never the same as a staff or parent account's. */
export const trustAccountKey = (email: string) =>
  createHash('sha256').update(`trust-account:${email.trim().toLowerCase()}`).digest();

const totpAad = (memberId: string) => `trust_totp.secret:${memberId}`;

type Login = {
  member_id: string;
  trust_id: string;
  name: string;
  role: TrustRole;
  password_hash: string;
  status: string;
};

export type Issued = { token: string; sessionId: string; csrfToken: string; stage: TrustStage };

const throttled = (s: { ok: false; reason: 'delay' | 'locked'; retryAfterSeconds: number }) =>
  new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(s), {
    retryAfterSeconds: s.retryAfterSeconds,
  });

const doorOf = (services: Services, req: FastifyRequest, s: TrustSession) =>
  trustMemberDoor(services, originOf(req), {
    trustId: s.member.trustId,
    memberId: s.member.memberId,
    name: s.member.name,
    role: s.member.role,
  });

async function hasConfirmedFactor(t: TrustLaneTx, memberId: string): Promise<boolean> {
  const [r] = await t.q<{ yes: boolean }>(
    `SELECT totp_confirmed_at IS NOT NULL AS yes FROM trust_member_credentials WHERE member_id = $1`,
    [memberId],
  );
  return r?.yes ?? false;
}

/** Email and password: a session waiting for the code, or for a second factor to be set up. */
export async function trustPasswordSignIn(
  services: Services,
  req: FastifyRequest,
  input: { email: string; password: string },
): Promise<Issued> {
  const door = visitor(services, originOf(req));
  const email = input.email.trim().toLowerCase();
  const now = services.clock.now();
  const keys = [trustAccountKey(email), addressKey(req.ip)];
  const state = await door.inPlatform((q) => checkThrottle(q, keys, now));
  if (!state.ok) throw throttled(state);
  const [login] = await door.inPlatform((q) =>
    q.query<Login>('SELECT * FROM lantern_find_trust_login($1)', [email]),
  );
  const ok = login ? (await checkStoredPassword(login.password_hash, input.password)).ok : false;
  if (!login) await verifyAgainstNothing(input.password);
  if (!login || !ok || login.status !== 'active') {
    await door.inSchool(PLATFORM_SCHOOL_ID, async (t) => {
      await recordFailure(t.db, keys[0]!, 'account', now);
      await recordFailure(t.db, keys[1]!, 'address', now);
      await t.audit({
        action: 'trust.sign_in_failed',
        ...(login && { targetType: 'trust_member', targetId: login.member_id }),
        details: {
          reason: !login ? 'unknown_account' : !ok ? 'wrong_password' : `account_${login.status}`,
        },
      });
    });
    throw new DomainError('unauthorised', 'sign_in_failed', TRUST_WRONG);
  }
  const who = { trustId: login.trust_id, memberId: login.member_id };
  return trustMemberDoor(services, originOf(req), {
    ...who,
    name: login.name,
    role: login.role,
  }).tx(async (t) => {
    await clearThrottle(t.db, keys[0]!);
    const stage: TrustStage = (await hasConfirmedFactor(t, login.member_id))
      ? 'second_factor'
      : 'enrol';
    const s = await createTrustSession(t.db, { ...who, stage, now: t.now });
    return { ...s, stage };
  });
}

/** Checks a code against the member's authenticator and keeps its step (never twice). */
async function checkCode(
  services: Services,
  t: TrustLaneTx,
  memberId: string,
  code: string,
  which: 'confirmed' | 'pending',
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const [row] = await t.q<{
    totp_sealed: Buffer | null;
    totp_master_key_id: string | null;
    totp_last_step: string | null;
  }>(
    `SELECT totp_sealed, totp_master_key_id, totp_last_step FROM trust_member_credentials
     WHERE member_id = $1 AND totp_confirmed_at IS ${which === 'confirmed' ? 'NOT NULL' : 'NULL'}
     FOR UPDATE`,
    [memberId],
  );
  if (!row?.totp_sealed || !row.totp_master_key_id) return { ok: false, reason: 'none' };
  const secret = services.keys.openUnderMaster(
    row.totp_master_key_id,
    totpAad(memberId),
    Buffer.from(row.totp_sealed),
  );
  const r = verifyTotp(secret, code, {
    lastUsedStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    now: t.now,
  });
  if (!r.ok) return r;
  await t.q(
    `UPDATE trust_member_credentials SET totp_last_step = $2,
       totp_confirmed_at = coalesce(totp_confirmed_at, $3) WHERE member_id = $1`,
    [memberId, r.step, t.now],
  );
  return { ok: true };
}

/**
 * The code that finishes signing in (a `second_factor` session) or confirms a new authenticator
 * app (an `enrol` session). A wrong code is counted against the account and audited.
 */
export async function trustGiveCode(
  services: Services,
  req: FastifyRequest,
  s: TrustSession,
  code: string,
): Promise<Issued> {
  const keys = [trustAccountKey(s.member.email), addressKey(req.ip)];
  const now = services.clock.now();
  const state = await visitor(services, originOf(req)).inPlatform((q) =>
    checkThrottle(q, keys, now),
  );
  if (!state.ok) throw throttled(state);
  const which = s.stage === 'enrol' ? 'pending' : 'confirmed';
  const mine = doorOf(services, req, s);
  const result = await mine.tx(async (t) => {
    const r = await checkCode(services, t, s.member.memberId, code, which);
    if (!r.ok) return r;
    await clearThrottle(t.db, keys[0]!);
    const target = { targetType: 'trust_member', targetId: s.member.memberId } as const;
    if (which === 'pending') {
      await t.audit({ action: 'trust.second_factor_added', ...target });
    }
    await t.audit({ action: 'trust.signed_in', ...target });
    await endTrustSession(t.db, s.sessionId, 'advanced', t.now);
    const next = await createTrustSession(t.db, {
      trustId: s.member.trustId,
      memberId: s.member.memberId,
      stage: 'full',
      now: t.now,
    });
    return { ok: true as const, issued: { ...next, stage: 'full' as const } };
  });
  if (result.ok) return result.issued;
  await mine.tx(async (t) => {
    await recordFailure(t.db, keys[0]!, 'account', now);
    await recordFailure(t.db, keys[1]!, 'address', now);
    await t.audit({
      action: 'trust.second_factor_failed',
      targetType: 'trust_member',
      targetId: s.member.memberId,
      details: { reason: result.reason },
    });
  });
  throw new DomainError('unauthorised', 'wrong_code', WRONG_CODE);
}

/** Starts (or restarts) setting up the authenticator app of a member who has none. */
export async function trustStartTotp(
  services: Services,
  req: FastifyRequest,
  s: TrustSession,
): Promise<TrustTotpEnrolment> {
  const secret = newTotpSecret();
  await doorOf(services, req, s).tx(async (t) => {
    if (await hasConfirmedFactor(t, s.member.memberId)) {
      throw new DomainError('conflict', 'conflict', 'An authenticator app is already set up.');
    }
    const { sealed, masterKeyId } = services.keys.sealUnderMaster(
      totpAad(s.member.memberId),
      secret,
    );
    await t.q(
      `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3,
         totp_last_step = NULL WHERE member_id = $1`,
      [s.member.memberId, sealed, masterKeyId],
    );
  });
  const uri = otpauthUri(secret, {
    issuer: `Lantern (${s.member.trustName})`,
    label: s.member.email,
  });
  return {
    qrSvg: await qrCodeSvg(uri),
    manualKey: formatSecretForManualEntry(secret),
    otpauthUri: uri,
  };
}

/** Signs this session out (any stage), audited as the member. */
export async function trustSignOut(
  services: Services,
  req: FastifyRequest,
  s: TrustSession,
): Promise<void> {
  await doorOf(services, req, s).tx(async (t) => {
    if (!(await endTrustSession(t.db, s.sessionId, 'signed_out', t.now))) return;
    await t.audit({
      action: 'trust.signed_out',
      targetType: 'trust_member',
      targetId: s.member.memberId,
    });
  });
}
