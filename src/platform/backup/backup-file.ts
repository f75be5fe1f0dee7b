// The embedded engine's backup file (issue 16): the database's data folder as a tar, encrypted
// with AES-256-GCM under a key derived from the backup passphrase by argon2id (@node-rs/argon2).
// It never holds the master key: a school's records inside stay sealed under keys that only the
// master key opens, so a restored copy needs the original installation's master key as well.
//
// Format, version 1 (all integers big-endian); the 47-byte header is the cipher's additional
// authenticated data, so a changed parameter fails like a changed byte of the data:
//   0   8  magic "LANTBKUP"
//   8   1  version (1)
//   9   1  KDF (1 = argon2id, version 0x13)
//   10  4  argon2 memory cost, KiB
//   14  4  argon2 time cost (passes)
//   18  1  argon2 parallelism
//   19 16  salt (random per file)
//   35 12  nonce (random per file)
//   47  …  ciphertext (the tar)
//   end 16 GCM tag
// Change safely: a new layout is a new version number, and readers keep reading the old ones.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync, readSync, fstatSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform, type Writable } from 'node:stream';
import { hashRaw, type Algorithm } from '@node-rs/argon2';

// Algorithm.Argon2id (a const enum the package declares ambiently).
const ARGON2ID = 2 as Algorithm;

const MAGIC = Buffer.from('LANTBKUP', 'ascii');
const VERSION = 1;
const KDF_ARGON2ID = 1;
export const HEADER_BYTES = 47;
const TAG_BYTES = 16;

export type KdfParams = { memoryKiB: number; passes: number; parallelism: number };
/** OWASP's argon2id guidance, with room: 64 MiB, 3 passes. About a quarter second here. */
export const DEFAULT_KDF: KdfParams = { memoryKiB: 65_536, passes: 3, parallelism: 1 };

export class BackupFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BackupFileError';
  }
}

const UNREADABLE =
  'The backup file cannot be decrypted: wrong passphrase or damaged file. Nothing was restored.';

function header(kdf: KdfParams, salt: Buffer, nonce: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt8(VERSION, 8);
  h.writeUInt8(KDF_ARGON2ID, 9);
  h.writeUInt32BE(kdf.memoryKiB, 10);
  h.writeUInt32BE(kdf.passes, 14);
  h.writeUInt8(kdf.parallelism, 18);
  salt.copy(h, 19);
  nonce.copy(h, 35);
  return h;
}

/** Reads a header; refuses parameters no writer of ours would use (a crafted file's 4 TiB KDF). */
function parseHeader(h: Buffer): { kdf: KdfParams; salt: Buffer; nonce: Buffer } {
  if (h.length < HEADER_BYTES || !h.subarray(0, 8).equals(MAGIC)) {
    throw new BackupFileError(`${UNREADABLE} (It does not start like a Lantern backup file.)`);
  }
  if (h.readUInt8(8) !== VERSION || h.readUInt8(9) !== KDF_ARGON2ID) {
    throw new BackupFileError(`${UNREADABLE} (Unknown format version.)`);
  }
  const kdf = {
    memoryKiB: h.readUInt32BE(10),
    passes: h.readUInt32BE(14),
    parallelism: h.readUInt8(18),
  };
  if (
    kdf.memoryKiB < 8_192 ||
    kdf.memoryKiB > 4_194_304 ||
    kdf.passes < 1 ||
    kdf.passes > 64 ||
    kdf.parallelism < 1 ||
    kdf.parallelism > 16
  ) {
    throw new BackupFileError(`${UNREADABLE} (Its key parameters are out of range.)`);
  }
  return { kdf, salt: h.subarray(19, 35), nonce: h.subarray(35, 47) };
}

function deriveKey(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  return hashRaw(passphrase, {
    algorithm: ARGON2ID,
    memoryCost: kdf.memoryKiB,
    timeCost: kdf.passes,
    parallelism: kdf.parallelism,
    outputLen: 32,
    salt,
  });
}

/** Streams `plain` into `out` as a backup file: header, ciphertext, tag. */
export async function encryptBackup(
  plain: AsyncIterable<Uint8Array> | Readable,
  passphrase: string,
  out: Writable,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<void> {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const head = header(kdf, salt, nonce);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt, kdf), nonce);
  cipher.setAAD(head);
  let first = true;
  const frame = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (first) {
        first = false;
        this.push(head);
      }
      done(null, cipher.update(chunk));
    },
    flush(done) {
      if (first) this.push(head);
      this.push(cipher.final());
      done(null, cipher.getAuthTag());
    },
  });
  await pipeline(Readable.from(plain), frame, out);
}

/** Writes a backup file beside `file` and renames it into place (readable by its owner only). */
export async function writeBackupFile(
  plain: AsyncIterable<Uint8Array> | Readable,
  passphrase: string,
  file: string,
): Promise<void> {
  const tmp = `${file}.partial-${process.pid}`;
  try {
    // Opened (and refused, if it exists) before any stream exists to emit the error unheard.
    const handle = await open(tmp, 'wx', 0o600);
    await encryptBackup(plain, passphrase, handle.createWriteStream());
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Decrypts a backup file into memory and checks its tag before returning anything: on a wrong
 * passphrase or any changed byte it throws and the caller has nothing to write.
 */
export async function readBackupFile(file: string, passphrase: string): Promise<Buffer> {
  const fd = openSync(file, 'r');
  let size: number;
  const head = Buffer.alloc(HEADER_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    size = fstatSync(fd).size;
    if (size < HEADER_BYTES + TAG_BYTES) {
      throw new BackupFileError(`${UNREADABLE} (It is too short to be one.)`);
    }
    readSync(fd, head, 0, HEADER_BYTES, 0);
    readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    closeSync(fd);
  }
  const { kdf, salt, nonce } = parseHeader(head);
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, salt, kdf), nonce);
  decipher.setAAD(head);
  decipher.setAuthTag(tag);
  const parts: Buffer[] = [];
  const body = createReadStream(file, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 });
  for await (const chunk of body) parts.push(decipher.update(chunk as Buffer));
  try {
    parts.push(decipher.final());
  } catch (err) {
    throw new BackupFileError(UNREADABLE, { cause: err });
  }
  return Buffer.concat(parts);
}
