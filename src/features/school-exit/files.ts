// The export's working folder: each file written through a hash, its SHA-256 and size appended
// to the manifest as soon as it is closed, so nothing about the school is held in memory beyond
// the page being written. The folder is private (0700, under the system's temporary folder) and
// removed by the caller however the export ends.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export type ManifestEntry = { path: string; bytes: number; sha256: string };

/** A file being written: text or bytes in order, waiting for the disk when it is behind. */
export class HashedFile {
  readonly rel: string;
  #stream: WriteStream;
  #hash = createHash('sha256');
  #bytes = 0;
  #failed: Error | null = null;
  constructor(root: string, rel: string) {
    this.rel = rel;
    this.#stream = createWriteStream(path.join(root, rel), { mode: 0o600 });
    this.#stream.on('error', (err) => (this.#failed = err));
  }
  async write(chunk: string | Buffer): Promise<void> {
    if (this.#failed) throw this.#failed;
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#hash.update(b);
    this.#bytes += b.byteLength;
    // once() rejects on 'error' and removes its listeners either way.
    if (!this.#stream.write(b)) await once(this.#stream, 'drain');
  }
  async close(): Promise<ManifestEntry> {
    await new Promise<void>((resolve, reject) => {
      this.#stream.once('error', reject);
      this.#stream.end(() => resolve());
    });
    if (this.#failed) throw this.#failed;
    return { path: this.rel, bytes: this.#bytes, sha256: this.#hash.digest('hex') };
  }
}

/** The folder and its manifest, written line by line as files close. */
export class ExportFolder {
  readonly root: string;
  #manifest: HashedFile;
  #files = 0;
  #bytes = 0;
  #dirs = new Set<string>();
  private constructor(root: string, manifest: HashedFile) {
    this.root = root;
    this.#manifest = manifest;
  }
  static async open(root: string, head: Record<string, string>): Promise<ExportFolder> {
    const manifest = new HashedFile(root, 'manifest.json');
    const folder = new ExportFolder(root, manifest);
    await manifest.write(
      `{\n${Object.entries(head)
        .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`)
        .join('')}  "files": [\n`,
    );
    return folder;
  }
  get files(): number {
    return this.#files;
  }
  get bytes(): number {
    return this.#bytes;
  }
  async create(rel: string): Promise<HashedFile> {
    const dir = path.dirname(rel);
    if (!this.#dirs.has(dir)) {
      await mkdir(path.join(this.root, dir), { recursive: true, mode: 0o700 });
      this.#dirs.add(dir);
    }
    return new HashedFile(this.root, rel);
  }
  /** Closes the file and lists it in the manifest. */
  async done(file: HashedFile): Promise<ManifestEntry> {
    const entry = await file.close();
    await this.#manifest.write(`${this.#files === 0 ? '' : ',\n'}    ${JSON.stringify(entry)}`);
    this.#files += 1;
    this.#bytes += entry.bytes;
    return entry;
  }
  async writeWhole(rel: string, content: string | Buffer): Promise<ManifestEntry> {
    const f = await this.create(rel);
    await f.write(content);
    return this.done(f);
  }
  /** Ends the manifest; answers its own SHA-256 (recorded with the export). */
  async finish(): Promise<ManifestEntry> {
    await this.#manifest.write('\n  ]\n}\n');
    return this.#manifest.close();
  }
}
