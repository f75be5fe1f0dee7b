// Second factors held for a user: an authenticator app (TOTP; secret sealed with the school's
// data key, bound to the user id), ten single-use recovery codes (keyed hashes; the key is
// derived from the school's search key, which the database never holds), and WebAuthn security
// keys. Protects the second tier: every verifier here accepts a factor at most once (TOTP step,
// spent recovery code, WebAuthn counter and a challenge held server-side and cleared on use).
import { createHmac } from 'node:crypto';
import type { RequestContext, Tx } from '../../core/context.ts';
import { conflict } from '../../core/errors.ts';
import { requireElevated } from '../../core/access/step-up.ts';
import type { Sealer } from '../../platform/crypto/school-keys.ts';
import type { TotpEnrolment } from '../../shared/schemas/identity.ts';
import { generateRecoveryCodes, verifyRecoveryCode } from './recovery-codes.ts';
import {
  formatSecretForManualEntry,
  newTotpSecret,
  otpauthUri,
  qrCodeSvg,
  verifyTotp,
  type TotpResult,
} from './totp.ts';
import type { StoredCredential } from './webauthn.ts';

export const TOTP_FIELD = 'totp_credentials.secret' as const;

export function recoveryKey(sealer: Sealer): Buffer {
  return createHmac('sha256', sealer.searchKey).update('lantern:recovery-codes:v1').digest();
}

export type FactorSummary = { totp: boolean; webauthn: number; recoveryCodesLeft: number };

export async function factorSummary(t: Pick<Tx, 'q'>, userId: string): Promise<FactorSummary> {
  const [r] = await t.q<{ totp: boolean; webauthn: number; codes: number }>(
    `SELECT EXISTS (SELECT 1 FROM totp_credentials WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS totp,
       (SELECT count(*)::int FROM webauthn_credentials WHERE user_id = $1 AND removed_at IS NULL) AS webauthn,
       (SELECT count(*)::int FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS codes`,
    [userId],
  );
  return { totp: r?.totp ?? false, webauthn: r?.webauthn ?? 0, recoveryCodesLeft: r?.codes ?? 0 };
}

export const hasFactor = (f: FactorSummary) => f.totp || f.webauthn > 0;

/** Adding a factor when one exists needs a step-up; the first one needs only a password. */
export async function mayChangeFactors(c: RequestContext): Promise<void> {
  const f = await c.tx((t) => factorSummary(t, t.actor.userId));
  if (hasFactor(f)) requireElevated(c.actor);
}

/**
 * After a factor is added (in its transaction): audited, and — a way back in if it is lost — ten
 * recovery codes when none are left, audited too and returned once; null when some were left.
 */
export async function noteFactorAdded(
  t: Tx,
  method: 'totp' | 'webauthn',
): Promise<string[] | null> {
  const f = await factorSummary(t, t.actor.userId);
  await t.audit({
    action: 'auth.second_factor_added',
    targetType: 'user',
    targetId: t.actor.userId,
    details: { method },
  });
  if (f.recoveryCodesLeft > 0) return null;
  const codes = await newRecoveryCodes(t, t.actor.userId);
  await t.audit({
    action: 'auth.recovery_codes_created',
    targetType: 'user',
    targetId: t.actor.userId,
  });
  return codes;
}

/** Replaces my recovery codes with ten new ones (audited), returned once. */
export async function replaceRecoveryCodes(t: Tx): Promise<string[]> {
  const codes = await newRecoveryCodes(t, t.actor.userId);
  await t.audit({
    action: 'auth.recovery_codes_created',
    targetType: 'user',
    targetId: t.actor.userId,
  });
  return codes;
}

/**
 * Starts enrolling the member's authenticator app (a step-up first if they have a factor): the
 * QR code and the key to type by hand, shown once. Refused while a confirmed one exists.
 */
export async function enrolTotp(c: RequestContext, email: string): Promise<TotpEnrolment> {
  await mayChangeFactors(c);
  const started = await c.tx((t) => startTotp(t, t.actor.userId));
  if (started === 'already_enrolled') {
    throw conflict('An authenticator app is already set up. Remove it before adding another.');
  }
  const uri = otpauthUri(started.secret, { issuer: 'Lantern', label: email });
  return {
    qrSvg: await qrCodeSvg(uri),
    manualKey: formatSecretForManualEntry(started.secret),
    otpauthUri: uri,
  };
}

/** Starts (or restarts) enrolment of an authenticator app; the secret is returned once. */
export async function startTotp(
  t: Tx,
  userId: string,
): Promise<{ secret: string } | 'already_enrolled'> {
  const [existing] = await t.q<{ confirmed_at: Date | null }>(
    'SELECT confirmed_at FROM totp_credentials WHERE user_id = $1',
    [userId],
  );
  if (existing?.confirmed_at) return 'already_enrolled';
  const secret = newTotpSecret();
  const sealed = (await t.sealer()).seal(TOTP_FIELD, userId, secret);
  await t.q(
    `INSERT INTO totp_credentials (user_id, school_id, secret_sealed, created_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET secret_sealed = $3, created_at = $4, last_step = NULL`,
    [userId, t.actor.schoolId, sealed, t.now],
  );
  return { secret };
}

/**
 * Checks a code against the user's authenticator (confirmed, or the one being enrolled) and
 * stores the accepted step in this transaction, so the same code never works twice.
 */
export async function checkTotp(
  t: Tx,
  userId: string,
  code: string,
  which: 'confirmed' | 'pending',
): Promise<TotpResult | { ok: false; reason: 'none' }> {
  const [row] = await t.q<{ secret_sealed: Buffer; last_step: string | null }>(
    `SELECT secret_sealed, last_step FROM totp_credentials WHERE user_id = $1
       AND confirmed_at IS ${which === 'confirmed' ? 'NOT NULL' : 'NULL'} FOR UPDATE`,
    [userId],
  );
  if (!row) return { ok: false, reason: 'none' };
  const secret = (await t.sealer()).open(TOTP_FIELD, userId, Buffer.from(row.secret_sealed));
  const result = verifyTotp(secret, code, {
    lastUsedStep: row.last_step === null ? null : Number(row.last_step),
    now: t.now,
  });
  if (result.ok) {
    await t.q(
      `UPDATE totp_credentials SET last_step = $2,
         confirmed_at = coalesce(confirmed_at, $3) WHERE user_id = $1`,
      [userId, result.step, t.now],
    );
  }
  return result;
}

export async function removeTotp(t: Tx, userId: string): Promise<void> {
  await t.q('DELETE FROM totp_credentials WHERE user_id = $1', [userId]);
}

/** Replaces the user's recovery codes with ten new ones, returned once. */
export async function newRecoveryCodes(t: Tx, userId: string): Promise<string[]> {
  const set = generateRecoveryCodes(recoveryKey(await t.sealer()));
  await t.q('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  for (const hash of set.hashes) {
    await t.q(
      'INSERT INTO recovery_codes (school_id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)',
      [t.actor.schoolId, userId, hash, t.now],
    );
  }
  return set.codes;
}

/** Spends one recovery code; false when it matches no unused code. */
export async function spendRecoveryCode(t: Tx, userId: string, code: string): Promise<boolean> {
  const rows = await t.q<{ id: string; code_hash: string }>(
    'SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id FOR UPDATE',
    [userId],
  );
  const index = verifyRecoveryCode(
    code,
    rows.map((r) => r.code_hash),
    recoveryKey(await t.sealer()),
  );
  if (index === null) return false;
  await t.q('UPDATE recovery_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL', [
    rows[index]!.id,
    t.now,
  ]);
  return true;
}

type CredentialRow = {
  credential_id: string;
  public_key: Buffer;
  counter: string;
  transports: string[];
};

export async function webauthnCredentials(
  t: Pick<Tx, 'q'>,
  userId: string,
): Promise<StoredCredential[]> {
  const rows = await t.q<CredentialRow>(
    `SELECT credential_id, public_key, counter, transports FROM webauthn_credentials
     WHERE user_id = $1 AND removed_at IS NULL ORDER BY created_at`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.credential_id,
    publicKey: new Uint8Array(r.public_key),
    counter: Number(r.counter),
    transports: r.transports,
  }));
}

/** Holds a WebAuthn challenge on the session for five minutes. */
export async function holdChallenge(
  t: Tx,
  sessionId: string,
  purpose: 'register' | 'authenticate',
  challenge: string,
): Promise<void> {
  await t.q(
    `UPDATE sessions SET challenge = $2, challenge_purpose = $3, challenge_expires_at = $4
     WHERE id = $1`,
    [sessionId, challenge, purpose, new Date(t.now.getTime() + 5 * 60_000)],
  );
}

/** Takes (and clears) the session's challenge for this purpose, if still valid. */
export async function takeChallenge(
  t: Tx,
  sessionId: string,
  purpose: 'register' | 'authenticate',
): Promise<string | null> {
  const [row] = await t.q<{ challenge: string | null; ok: boolean }>(
    `SELECT challenge, (challenge_purpose = $2 AND challenge_expires_at > $3) AS ok
     FROM sessions WHERE id = $1 FOR UPDATE`,
    [sessionId, purpose, t.now],
  );
  await t.q(
    'UPDATE sessions SET challenge = NULL, challenge_purpose = NULL, challenge_expires_at = NULL WHERE id = $1',
    [sessionId],
  );
  return row?.ok && row.challenge ? row.challenge : null;
}

/** Removes every second factor (an administrator's reset, or the user's own). */
export async function removeAllFactors(t: Tx, userId: string): Promise<void> {
  await t.q('DELETE FROM totp_credentials WHERE user_id = $1', [userId]);
  await t.q('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await t.q(
    'UPDATE webauthn_credentials SET removed_at = $2 WHERE user_id = $1 AND removed_at IS NULL',
    [userId, t.now],
  );
}
