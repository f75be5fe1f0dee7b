// Authenticator-app codes (TOTP, RFC 6238): SHA-1, 6 digits, 30-second steps, one step of drift —
// the settings every common authenticator app (Google, Microsoft, Authy, 1Password…) understands.
import { timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps either side of now that are still accepted (clock drift, slow typing). */
export const TOTP_DRIFT_STEPS = 1;
/** 160-bit secrets, as RFC 4226 §4 recommends. */
const SECRET_BYTES = 20;

export type TotpResult = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' };

/** A new random secret, base32 (RFC 4648, no padding). Encrypt it before storing it. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The secret grouped in fours, for people who type it into their app by hand. */
export function formatSecretForManualEntry(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function totpFor(secret: string, label = '', issuer = 'Lantern'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The otpauth:// URI that authenticator apps read from the enrolment QR code. */
export function otpauthUri(secret: string, opts: { issuer: string; label: string }): string {
  return totpFor(secret, opts.label, opts.issuer).toString();
}

/** The enrolment QR code as an SVG document (inline it in the page; it holds the secret). */
export async function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step (RFC 6238 "T") that contains `now`. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a given time (used by tests and by nothing else in production). */
export function totpCodeAt(secret: string, now: Date): string {
  return totpFor(secret).generate({ timestamp: now.getTime() });
}

/**
 * Verifies a code typed by the user. Protects the second factor: only codes for the current step
 * ±TOTP_DRIFT_STEPS pass, and a code is accepted at most once — any step at or before
 * `lastUsedStep` is refused as replayed (RFC 6238 §5.2), so a code seen over a shoulder or
 * phished cannot be used again. The caller MUST store the returned `step` as the new
 * `lastUsedStep` in the same transaction that accepts the sign-in. Comparison is constant-time.
 * Widening the window weakens the factor; do not change it without a reason written here.
 */
export function verifyTotp(
  secret: string,
  code: string,
  opts: { lastUsedStep: number | null; now: Date },
): TotpResult {
  const token = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'invalid' };
  let totp: TOTP;
  try {
    totp = totpFor(secret);
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const current = totpStep(opts.now);
  const given = Buffer.from(token);
  let replayed = false;
  let accepted: number | null = null;
  for (let delta = -TOTP_DRIFT_STEPS; delta <= TOTP_DRIFT_STEPS; delta++) {
    const step = current + delta;
    const expected = Buffer.from(totp.generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 }));
    if (!timingSafeEqual(expected, given)) continue;
    if (opts.lastUsedStep !== null && step <= opts.lastUsedStep) replayed = true;
    else accepted ??= step;
  }
  if (accepted !== null) return { ok: true, step: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'invalid' };
}
