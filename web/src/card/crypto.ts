// The device's side of the emergency cards (issue 21), with WebCrypto only — no hand-written
// crypto. What this protects: the cards on a phone that may be lost. The bundle stays encrypted
// (AES-256-GCM, as the server sealed it); the bundle's key, released once by the server to an
// elevated session, is kept only wrapped twice:
// - under a key derived from the member's PIN (PBKDF2, SHA-256, 600 000 iterations, a random
//   salt; the PIN at least 8 digits), and
// - under a device key: a random AES-GCM key generated here as non-extractable and kept in this
//   origin's IndexedDB. Script on the page can use it but cannot read its bytes (exportKey is
//   refused), so the wrapped key copied out of local storage (a synced or backed-up store, a
//   page script dumping it) cannot be attacked with PIN guesses anywhere else; and deleting the
//   device key (wiping the cards) makes every copy of the wrapped key useless.
// What it does not protect against: someone holding a copy of the whole browser profile (the
// IndexedDB files hold the device key's bytes, which the browser does not encrypt on disk) can
// try PINs offline, each guess costing 600 000 PBKDF2 rounds: 10^8 PINs of 8 digits instead of
// 10^6 of 6. Nor script running on this origin while the phone is unlocked.
// Opening needs the PIN every time; nothing decrypted is stored. To change safely: never store
// the raw key or the opened cards, never make the device key extractable, and raise (never
// lower) the iteration count.
const ITERATIONS = 600_000;
/** The shortest PIN a member may choose. */
export const MIN_PIN_DIGITS = 8;
export const MAX_PIN_DIGITS = 12;
const enc = new TextEncoder();
const b64 = (bytes: ArrayBuffer | Uint8Array) => {
  let out = '';
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) {
    out += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(out);
};
const unb64 = (s: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

const DB = 'lantern-cards';
const KEYS = 'device-keys';

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(KEYS);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB refused'));
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  work: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(KEYS, mode);
      const req = work(tx.objectStore(KEYS));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB refused'));
    });
  } finally {
    db.close();
  }
}

/** A fresh non-extractable device key for one bundle, kept in IndexedDB. */
async function newDeviceKey(bundleId: string): Promise<CryptoKey> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  await withStore('readwrite', (s) => s.put(key, bundleId));
  return key;
}

const deviceKeyOf = (bundleId: string) =>
  withStore('readonly', (s) => s.get(bundleId) as IDBRequest<CryptoKey | undefined>);

/** Deletes a bundle's device key: any copy of its wrapped key no longer opens. */
export async function dropDeviceKey(bundleId: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(bundleId));
}

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

/** v2: the PIN-wrapped key wrapped again under the device key (`deviceIv`). */
export type WrappedKey = { salt: string; iv: string; wrapped: string; v?: 2; deviceIv?: string };

/** The bundle's key (base64, as released), wrapped under the PIN and then the device key. */
export async function wrapKey(rawKey: string, pin: string, bundleId: string): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const deviceIv = crypto.getRandomValues(new Uint8Array(12));
  const inner = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await pinKey(pin, salt),
    unb64(rawKey),
  );
  const device = await newDeviceKey(bundleId);
  const wrapped = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: deviceIv, additionalData: enc.encode(bundleId) },
    device,
    inner,
  );
  return { salt: b64(salt), iv: b64(iv), wrapped: b64(wrapped), v: 2, deviceIv: b64(deviceIv) };
}

/** Opens the bundle with the PIN; throws WrongPin, or NoDeviceKey when this phone lost its key. */
export async function openBundle<T>(
  bundle: { id: string; iv: string; ciphertext: string; aad: string },
  key: WrappedKey,
  pin: string,
): Promise<T> {
  let pinWrapped: Uint8Array<ArrayBuffer> | ArrayBuffer = unb64(key.wrapped);
  if (key.v === 2) {
    // Only a key store that opened and answered "none" means the key is gone (the cards are then
    // wiped); any error reaching it (WebKit drops IndexedDB connections when an app is put away)
    // is passing, and must never cost the cards, offline on a trip.
    let device: CryptoKey | undefined;
    try {
      device = await deviceKeyOf(bundle.id);
    } catch {
      throw new KeyStoreUnavailable();
    }
    if (!device) throw new NoDeviceKey();
    try {
      pinWrapped = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: unb64(key.deviceIv ?? ''), additionalData: enc.encode(bundle.id) },
        device,
        pinWrapped,
      );
    } catch {
      throw new NoDeviceKey();
    }
  }
  let raw: ArrayBuffer;
  try {
    const k = await pinKey(pin, unb64(key.salt));
    raw = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(key.iv) }, k, pinWrapped);
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

export class KeyStoreUnavailable extends Error {
  constructor() {
    super("Could not reach this phone's key store. Nothing has been removed: try again.");
  }
}

export class NoDeviceKey extends Error {
  constructor() {
    super('This phone no longer holds the key to these cards.');
  }
}
