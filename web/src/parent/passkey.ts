// A parent's passkey from the browser: the server makes and keeps the challenge; the browser only
// asks the passkey to answer it (set one up while enrolling, or sign in with it).
import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { ParentSessionInfo } from '../../../src/shared/schemas/parents.ts';
import { parentApi } from './api.ts';

export async function answerWithPasskey(enrolling: boolean): Promise<ParentSessionInfo> {
  const { options } = await parentApi<{ options: unknown }>(
    'POST',
    '/api/parent/auth/passkey/options',
  );
  const response = enrolling
    ? await startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON })
    : await startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON });
  return parentApi<ParentSessionInfo>('POST', '/api/parent/auth/passkey', { response });
}
