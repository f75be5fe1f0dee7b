// A feed too large for memory (a pulled school: every page of every endpoint, attendance marks
// above all) waits on disk only encrypted (issue 11, finding 9): each file is AES-256-GCM under a
// random key made for this one run and held only in this process's memory, in a private folder
// (0700, files 0600) removed when the run ends. Read back, each file is checked against its tag;
// a file altered on disk fails the read, and with it the run's one transaction. To change
// safely: never write a byte to the folder except through `writer`, never log or store the key,
// and keep `dispose` in a finally.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedFolder } from './formats/feed-folder.ts';

type Sealed = { nonce: Buffer; tag: Buffer };

export type SpoolWriter = {
  /** Appends text (waits while the disk catches up). */
  write(text: string): Promise<void>;
  /** Finishes the file; only a closed file can be read. */
  close(): Promise<void>;
};

export class SealedSpool implements FeedFolder {
  readonly #dir: string;
  readonly #key = randomBytes(32);
  readonly #files = new Map<string, Sealed>();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** The private folder (0700) the encrypted files are in. */
  get folder(): string {
    return this.#dir;
  }

  static async create(prefix: string): Promise<SealedSpool> {
    return new SealedSpool(await mkdtemp(join(tmpdir(), prefix)));
  }

  #path(file: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.')) {
      throw new Error(`spool: not a plain file name: ${file}`);
    }
    return join(this.#dir, file);
  }

  writer(file: string): SpoolWriter {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(file));
    const out = createWriteStream(this.#path(file), { mode: 0o600 });
    cipher.pipe(out);
    const failed = new Promise<never>((_, reject) => {
      out.once('error', reject);
      cipher.once('error', reject);
    });
    failed.catch(() => undefined);
    return {
      write: async (text) => {
        if (!cipher.write(text, 'utf8')) await Promise.race([once(cipher, 'drain'), failed]);
      },
      close: async () => {
        cipher.end();
        await Promise.race([once(out, 'finish'), failed]);
        this.#files.set(file, { nonce, tag: cipher.getAuthTag() });
      },
    };
  }

  async open(file: string): Promise<AsyncIterable<Buffer> | undefined> {
    const sealed = this.#files.get(file);
    if (!sealed) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.nonce);
    decipher.setAAD(Buffer.from(file));
    decipher.setAuthTag(sealed.tag);
    const input = createReadStream(this.#path(file), { highWaterMark: 256 * 1024 });
    input.on('error', (err) => decipher.destroy(err));
    decipher.on('close', () => input.destroy()); // a reader that stops early closes the file
    return input.pipe(decipher) as AsyncIterable<Buffer>;
  }

  /** Removes the folder and forgets the key. */
  async dispose(): Promise<void> {
    this.#files.clear();
    this.#key.fill(0);
    await rm(this.#dir, { recursive: true, force: true });
  }
}
