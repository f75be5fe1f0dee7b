// Security keys and passkeys (WebAuthn) from the browser: the server makes the challenge and keeps
// it (src/features/identity); the browser only asks the key to answer it. Errors become
// sentences a person can act on.
import {
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { SecurityKeyRegistered, SessionInfo } from '../../../src/shared/schemas/identity.ts';
import { api, ApiError, errorMessage } from './api.ts';

/** Asks the security key to sign the server's challenge; the answer elevates the session. */
export async function verifyWithSecurityKey(): Promise<SessionInfo> {
  const { options } = await api<{ options: PublicKeyCredentialRequestOptionsJSON }>(
    'POST',
    '/api/auth/verify/webauthn/options',
  );
  const response = await startAuthentication({ optionsJSON: options });
  return api<SessionInfo>('POST', '/api/auth/verify/webauthn', { response });
}

/** Registers a new security key under the given name; recovery codes come with a first factor. */
export async function registerSecurityKey(label: string): Promise<SecurityKeyRegistered> {
  const { options } = await api<{ options: PublicKeyCredentialCreationOptionsJSON }>(
    'POST',
    '/api/auth/webauthn/register/options',
  );
  const response = await startRegistration({ optionsJSON: options });
  return api<SecurityKeyRegistered>('POST', '/api/auth/webauthn/register', { response, label });
}

export function securityKeyProblem(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  const name = err instanceof WebAuthnError ? err.name : err instanceof Error ? err.name : '';
  if (err instanceof WebAuthnError && err.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return 'That security key is already registered to your account.';
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return 'The security key was not used: it was cancelled or took too long. Try again.';
  }
  if (name === 'SecurityError') {
    return 'This browser refused to use a security key on this address. Ask your administrator.';
  }
  // Only a failure of the key itself reads as one: a lost connection (while sending a typed code,
  // say) keeps its own message.
  if (err instanceof WebAuthnError || err instanceof DOMException) {
    return 'Your browser could not use a security key. Try again, or use another way in.';
  }
  return errorMessage(err);
}
