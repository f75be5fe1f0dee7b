// The device's side of the emergency cards (issue 21), with WebCrypto only — no hand-written
// crypto. What this protects: the cards on a phone that may be lost. The bundle stays encrypted
// (AES-256-GCM, as the server sealed it); the bundle's key, released once by the server to an
// elevated session, is kept only wrapped under a key derived from the member's PIN (PBKDF2,
// SHA-256, 600 000 iterations, a random salt). Opening needs the PIN every time; nothing
// decrypted is stored. To change safely: never store the raw key or the opened cards, and raise
// (never lower) the iteration count.
const ITERATIONS = 600_000;
const enc = new TextEncoder();
const b64 = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (s: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function pinKey(pin: string, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(pin), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export type WrappedKey = { salt: string; iv: string; wrapped: string };

/** The bundle's key (base64, as released), wrapped under the PIN. */
export async function wrapKey(rawKey: string, pin: string): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await pinKey(pin, salt);
  const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, unb64(rawKey));
  return { salt: b64(salt), iv: b64(iv), wrapped: b64(wrapped) };
}

/** Opens the bundle with the PIN; throws WrongPin when the PIN does not unwrap the key. */
export async function openBundle<T>(
  bundle: { iv: string; ciphertext: string; aad: string },
  key: WrappedKey,
  pin: string,
): Promise<T> {
  let raw: ArrayBuffer;
  try {
    const k = await pinKey(pin, unb64(key.salt));
    raw = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: unb64(key.iv) },
      k,
      unb64(key.wrapped),
    );
  } catch {
    throw new WrongPin();
  }
  const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: unb64(bundle.iv), additionalData: enc.encode(bundle.aad) },
    aes,
    unb64(bundle.ciphertext),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

export class WrongPin extends Error {
  constructor() {
    super('That PIN is not right.');
  }
}
