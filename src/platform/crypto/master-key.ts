// The master key wraps every school's data keys and is never stored in the database. It comes
// from LANTERN_MASTER_KEY, or from a key file (one base64 key per line: the first is current, any
// others are earlier keys kept so a running service can still unwrap during a rotation).
// The key file never lives inside the data folder (issue 11, finding 9): that folder holds the
// embedded database, so a copy of it — a backup, an archive — would carry the key that opens it.
// A key file configured there is refused at start-up; one left at the old default
// (<data dir>/master.key) is moved to the configured place, loudly. To change safely: keep the
// check on real paths (symlinks resolved), and never delete a key unless an identical copy exists.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export type MasterKey = { id: string; key: Buffer };
export type Keyring = { current: MasterKey; byId: Map<string, MasterKey> };

export function masterKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('lantern-master-key-id')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

function toKey(b64: string, where: string): MasterKey {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where}: a master key must be 32 bytes of base64`);
  return { id: masterKeyId(key), key };
}

export function keyringOf(keys: MasterKey[]): Keyring {
  const [current] = keys;
  if (!current) throw new Error('keyring: no master key');
  return { current, byId: new Map(keys.map((k) => [k.id, k])) };
}

export function readKeyFile(file: string): Keyring {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return keyringOf(lines.map((l, i) => toKey(l, `${file} line ${i + 1}`)));
}

export function writeKeyFile(file: string, keys: MasterKey[]): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  const body =
    '# Lantern master key(s). First line is current. Keep this file out of backups of the\n' +
    '# database and away from the database host in production.\n' +
    keys.map((k) => k.key.toString('base64')).join('\n') +
    '\n';
  writeFileSync(tmp, body, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function newMasterKey(): MasterKey {
  const key = randomBytes(32);
  return { id: masterKeyId(key), key };
}

export type KeySource =
  | { kind: 'env'; value: string }
  | {
      kind: 'file';
      file: string;
      createIfMissing: boolean;
      /** The data folder (the embedded database): the key file must be outside it. */
      dataDir?: string;
    };

/** The path with symlinks resolved as far as it exists (the rest appended as written). */
function realPath(p: string): string {
  const abs = path.resolve(p);
  const parent = path.dirname(abs);
  if (existsSync(abs)) return realpathSync(abs);
  return parent === abs ? abs : path.join(realPath(parent), path.basename(abs));
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(realPath(dir), realPath(file));
  // Outside only by climbing out ("..", "../x") or on another root: "..key" is a name inside.
  const climbs = rel === '..' || rel.startsWith(`..${path.sep}`);
  return !climbs && !path.isAbsolute(rel);
}

/** The key file's place before issue 11: inside the data folder. */
export const legacyKeyFile = (dataDir: string) => path.join(dataDir, 'master.key');

function refuseInsideData(file: string, dataDir: string): void {
  if (!isInside(file, dataDir)) return;
  throw new Error(
    `The master key file ${file} is inside the data folder ${dataDir}, which holds the database: ` +
      'a backup or copy of that folder would carry the key that opens it. Move the file outside ' +
      'the data folder and set LANTERN_MASTER_KEY_FILE to its new place (by default it is ' +
      '<data folder>-keys/master.key, beside the data folder), or set LANTERN_MASTER_KEY instead.',
  );
}

/**
 * An install from before issue 11 keeps its key at <data dir>/master.key: it is moved to the
 * configured key file (copied, checked, then removed), or removed if that file already holds the
 * same keys. Two different key files are refused: the operator decides which is right.
 */
function moveLegacyKey(file: string, dataDir: string, warn: (msg: string) => void): void {
  const legacy = legacyKeyFile(dataDir);
  if (!existsSync(legacy) || realPath(legacy) === realPath(file)) return;
  const old = readFileSync(legacy);
  readKeyFile(legacy); // refuse to move a file that is not a key file
  if (existsSync(file)) {
    if (!readFileSync(file).equals(old)) {
      throw new Error(
        `There is a master key file inside the data folder (${legacy}) and a different one at ` +
          `${file}. Keep the one that opens your records outside the data folder and remove the ` +
          'other: a key inside the data folder travels with every copy of the database.',
      );
    }
  } else {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, old, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    if (!readFileSync(file).equals(old))
      throw new Error(`Could not move the master key to ${file}`);
  }
  try {
    unlinkSync(legacy);
  } catch (err) {
    // Another process starting at the same moment moved it first: the key is in place either way.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  warn(
    `Moved the master key from ${legacy} (inside the data folder, beside the database) to ` +
      `${file}. Keep ${path.dirname(file)} out of backups of the data folder and back it up ` +
      'separately. Copies of the data folder taken before now hold the key beside the records: ' +
      'keep them as safe as the key itself, and run `lantern keys rotate` so the key they hold ' +
      'opens nothing written from now on.',
  );
}

export function loadKeyring(source: KeySource, warn: (msg: string) => void): Keyring {
  if (source.kind === 'env') return keyringOf([toKey(source.value, 'LANTERN_MASTER_KEY')]);
  if (source.dataDir) {
    refuseInsideData(source.file, source.dataDir);
    moveLegacyKey(source.file, source.dataDir, warn);
  }
  if (!existsSync(source.file)) {
    if (!source.createIfMissing) {
      throw new Error(
        `No master key: set LANTERN_MASTER_KEY or LANTERN_MASTER_KEY_FILE (looked for ${source.file})`,
      );
    }
    writeKeyFile(source.file, [newMasterKey()]);
    warn(
      `Created a new master key at ${source.file} (mode 0600), outside the data folder. Keep it ` +
        'out of backups of the data folder; in production keep the master key elsewhere (LANTERN_MASTER_KEY or a key file on separate ' +
        'storage) and back it up separately: without it the records cannot be read.',
    );
  }
  return readKeyFile(source.file);
}
