// Test-only: a software security key (never imported by the server). An ES256 key pair that
// builds WebAuthn responses byte for byte as a real authenticator does (attestation "none"), so
// the full verification path runs, in unit tests and through the HTTP API alike.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { RelyingParty } from './webauthn.ts';

/** The relying party the unit tests use; an app built with publicOrigin TEST_RP.origin matches. */
export const TEST_RP: RelyingParty = { rpID: 'lantern.test', origin: 'https://lantern.test' };

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
export const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64url');
export const utf8 = (s: string) => new TextEncoder().encode(s);
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * A software security key: an ES256 key pair that builds WebAuthn responses byte for byte as a
 * real authenticator does (attestation "none"), so the full verification path runs.
 */
export class SoftwareAuthenticator {
  readonly credentialId = new Uint8Array(randomBytes(32));
  private readonly privateKey: KeyObject;
  private readonly coseKey: Uint8Array;
  private readonly rp: RelyingParty;
  counter = 0;

  constructor(rp: RelyingParty = TEST_RP) {
    this.rp = rp;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.coseKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
      ]),
    );
  }

  get id(): string {
    return b64(this.credentialId);
  }

  private clientData(type: string, challenge: string, origin: string): Uint8Array {
    return utf8(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  register(challenge: string, origin = this.rp.origin, rpID = this.rp.rpID) {
    const idLength = new Uint8Array([0, this.credentialId.length]);
    const authData = concat(
      sha256(utf8(rpID)),
      new Uint8Array([0x41]), // user present + attested credential data
      u32(this.counter),
      new Uint8Array(16), // AAGUID
      idLength,
      this.credentialId,
      this.coseKey,
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(this.clientData('webauthn.create', challenge, origin)),
        attestationObject: b64(attestationObject),
        transports: ['usb'],
      },
    };
  }

  assert(challenge: string, opts: { origin?: string; counter?: number } = {}) {
    this.counter = opts.counter ?? this.counter + 1;
    const authData = concat(sha256(utf8(this.rp.rpID)), new Uint8Array([0x01]), u32(this.counter));
    const clientDataJSON = this.clientData(
      'webauthn.get',
      challenge,
      opts.origin ?? this.rp.origin,
    );
    const signature = sign('sha256', concat(authData, sha256(clientDataJSON)), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(new Uint8Array(signature)),
      },
    };
  }
}
