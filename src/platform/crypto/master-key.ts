// The master key wraps every school's data keys and is never stored in the database. It comes
// from LANTERN_MASTER_KEY, or from a key file (one base64 key per line: the first is current, any
// others are earlier keys kept so a running service can still unwrap during a rotation).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  mkdirSync(path.dirname(file), { recursive: true });
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
  { kind: 'env'; value: string } | { kind: 'file'; file: string; createIfMissing: boolean };

export function loadKeyring(source: KeySource, warn: (msg: string) => void): Keyring {
  if (source.kind === 'env') return keyringOf([toKey(source.value, 'LANTERN_MASTER_KEY')]);
  if (!existsSync(source.file)) {
    if (!source.createIfMissing) {
      throw new Error(
        `No master key: set LANTERN_MASTER_KEY or LANTERN_MASTER_KEY_FILE (looked for ${source.file})`,
      );
    }
    writeKeyFile(source.file, [newMasterKey()]);
    warn(
      `Created a new master key at ${source.file} (mode 0600). It is outside the database files; ` +
        'in production keep the master key elsewhere (LANTERN_MASTER_KEY or a key file on separate ' +
        'storage) and back it up separately: without it the records cannot be read.',
    );
  }
  return readKeyFile(source.file);
}
