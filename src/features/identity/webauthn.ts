// Security keys and passkeys (WebAuthn), as a second factor: thin wrappers over
// @simplewebauthn/server that take untrusted JSON from the browser and never throw — every
// failure becomes a typed refusal the route can audit and answer with a 4xx.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  CredentialDeviceType,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

export const RP_NAME = 'Lantern';

/** The relying party: the site's host name (rpID) and its exact origin, from configuration. */
export interface RelyingParty {
  rpID: string;
  origin: string;
}

/** A registered security key or passkey, as stored for a user. */
export interface StoredCredential {
  /** Credential id, base64url. */
  id: string;
  /** COSE public key. */
  publicKey: Uint8Array;
  /** Signature counter last seen (0 for authenticators that do not count). */
  counter: number;
  /** Transports the browser reported (usb, nfc, ble, internal, hybrid…), as hints. */
  transports: string[];
}

export type WebAuthnFailure =
  /** The browser's response was not WebAuthn JSON at all. */
  | 'malformed'
  /** Wrong challenge, origin or RP, bad signature, user not present… */
  | 'rejected'
  /** The response names a credential this user has not registered. */
  | 'unknown_credential'
  /** The signature counter went backwards: the authenticator may have been cloned. Audit it. */
  | 'counter_regressed';

export type WebAuthnRefusal = { ok: false; reason: WebAuthnFailure; detail: string };

export type RegistrationResult =
  | {
      ok: true;
      credential: StoredCredential;
      deviceType: CredentialDeviceType;
      backedUp: boolean;
      userVerified: boolean;
    }
  | WebAuthnRefusal;

export type AuthenticationResult =
  { ok: true; credentialId: string; newCounter: number; userVerified: boolean } | WebAuthnRefusal;

/**
 * Options for `navigator.credentials.create()`. Keep `challenge` in the server-side session and
 * pass it to `verifyRegistration`. `userId` must be an opaque id (not an email): it is stored on
 * the authenticator.
 */
export async function registrationOptions(
  rp: RelyingParty,
  user: { userId: string; email: string; displayName: string },
  existing: readonly StoredCredential[],
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: string }> {
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpID,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.userId),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  return { options, challenge: options.challenge };
}

/**
 * Verifies a new credential. Protects enrolment: the response must answer this session's
 * challenge, from our origin and RP id, with the user present. Anything else — including input
 * that is not WebAuthn JSON — is a refusal, never an exception.
 */
export async function verifyRegistration(
  rp: RelyingParty,
  response: unknown,
  expectedChallenge: string,
  opts: { requireUserVerification?: boolean } = {},
): Promise<RegistrationResult> {
  if (!isRegistrationResponse(response)) return malformed();
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: opts.requireUserVerification ?? false,
    });
    if (!result.verified) return { ok: false, reason: 'rejected', detail: 'not verified' };
    const info = result.registrationInfo;
    return {
      ok: true,
      credential: {
        id: info.credential.id,
        publicKey: new Uint8Array(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? response.response.transports ?? [],
      },
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      userVerified: info.userVerified,
    };
  } catch (error) {
    return refusal(error);
  }
}

/** Options for `navigator.credentials.get()`, limited to the user's registered credentials. */
export async function authenticationOptions(
  rp: RelyingParty,
  credentials: readonly StoredCredential[],
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challenge: string }> {
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports })),
    userVerification: 'preferred',
  });
  return { options, challenge: options.challenge };
}

/**
 * Verifies a second-factor assertion against the user's own credentials. Protects sign-in and
 * step-up: only a credential registered to this user, answering this session's challenge, from
 * our origin, with a counter that has not gone backwards, passes. On success the caller MUST
 * store `newCounter` for that credential. Never throws.
 */
export async function verifyAuthentication(
  rp: RelyingParty,
  response: unknown,
  expectedChallenge: string,
  credentials: readonly StoredCredential[],
  opts: { requireUserVerification?: boolean } = {},
): Promise<AuthenticationResult> {
  if (!isAuthenticationResponse(response)) return malformed();
  const credential = credentials.find((c) => c.id === response.id);
  if (!credential) {
    return { ok: false, reason: 'unknown_credential', detail: 'credential not registered' };
  }
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: { ...credential, publicKey: new Uint8Array(credential.publicKey) },
      requireUserVerification: opts.requireUserVerification ?? false,
    });
    if (!result.verified) return { ok: false, reason: 'rejected', detail: 'not verified' };
    return {
      ok: true,
      credentialId: credential.id,
      newCounter: result.authenticationInfo.newCounter,
      userVerified: result.authenticationInfo.userVerified,
    };
  } catch (error) {
    return refusal(error);
  }
}

/** The credential id an assertion claims, for looking the credential up; null if malformed. */
export function credentialIdOf(response: unknown): string | null {
  return isAuthenticationResponse(response) ? response.id : null;
}

function malformed(): WebAuthnRefusal {
  return { ok: false, reason: 'malformed', detail: 'not a WebAuthn credential response' };
}

function refusal(error: unknown): WebAuthnRefusal {
  const detail = error instanceof Error ? error.message : String(error);
  const reason: WebAuthnFailure = /counter/i.test(detail) ? 'counter_regressed' : 'rejected';
  return { ok: false, reason, detail };
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isB64(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && BASE64URL.test(value);
}

function hasCredentialEnvelope(value: unknown): value is Record<string, unknown> & {
  id: string;
  rawId: string;
  response: Record<string, unknown>;
} {
  return (
    isRecord(value) &&
    isB64(value.id) &&
    value.rawId === value.id &&
    value.type === 'public-key' &&
    isRecord(value.response) &&
    isB64(value.response.clientDataJSON) &&
    (value.clientExtensionResults === undefined || isRecord(value.clientExtensionResults))
  );
}

function isRegistrationResponse(value: unknown): value is RegistrationResponseJSON {
  if (!hasCredentialEnvelope(value)) return false;
  const transports = value.response.transports;
  return (
    isB64(value.response.attestationObject) &&
    (transports === undefined ||
      (Array.isArray(transports) && transports.every((t) => typeof t === 'string')))
  );
}

function isAuthenticationResponse(value: unknown): value is AuthenticationResponseJSON {
  if (!hasCredentialEnvelope(value)) return false;
  const r = value.response;
  return (
    isB64(r.authenticatorData) &&
    isB64(r.signature) &&
    (r.userHandle === undefined || r.userHandle === null || typeof r.userHandle === 'string')
  );
}
