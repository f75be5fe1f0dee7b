// AES-256-GCM with a versioned envelope. Protects the confidentiality and integrity of sensitive
// text at rest. Envelope: [format 0x01][key version uint32 BE][iv 12][ciphertext][tag 16].
// The additional data binds a ciphertext to its school, column and row, so a ciphertext copied
// into another row or school fails to open. Never reuse an IV with a key: IVs are random 96-bit.
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const FORMAT = 0x01;
const HEADER = 1 + 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptError';
  }
}

// A key object per key, made once: a cipher keyed by a Buffer has Node check and copy it into a
// new key object every time, about half the cost of sealing a short field (issue 12). Held as long
// as the key's own Buffer is (the school key cache's).
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObjectOf(key: Buffer): KeyObject {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return k;
}

export function seal(key: Buffer, keyVersion: number, plaintext: Buffer, aad: string): Buffer {
  if (key.length !== 32) throw new Error('seal: key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(FORMAT, 0);
  header.writeUInt32BE(keyVersion, 1);
  const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), iv);
  cipher.setAAD(Buffer.concat([header, Buffer.from(aad, 'utf8')]));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, ct, cipher.getAuthTag()]);
}

/** The key version a sealed value was written under (so the right key can be fetched). */
export function keyVersionOf(sealed: Buffer): number {
  if (sealed.length < HEADER + IV_BYTES + TAG_BYTES || sealed.readUInt8(0) !== FORMAT) {
    throw new DecryptError('not a Lantern ciphertext');
  }
  return sealed.readUInt32BE(1);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  keyVersionOf(sealed);
  const header = sealed.subarray(0, HEADER);
  const iv = sealed.subarray(HEADER, HEADER + IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const ct = sealed.subarray(HEADER + IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), iv);
  decipher.setAAD(Buffer.concat([header, Buffer.from(aad, 'utf8')]));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new DecryptError('ciphertext failed authentication (wrong key, row or tampering)');
  }
}
