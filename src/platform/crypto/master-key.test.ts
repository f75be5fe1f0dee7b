// The master key lives away from the data (issue 11, finding 9): by default its file sits beside
// the data folder, never in it; start-up refuses a key file inside the data folder (symlinks
// followed); and an install from before keeps working: its key at the old default
// (<data dir>/master.key) is moved out, loudly, or, if a different key is already at the new
// place, start-up stops and asks the operator to choose.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { keyringLoader, type Log } from '../services.ts';
import { isInside, newMasterKey, readKeyFile, writeKeyFile } from './master-key.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lantern-master-key-'));
});
afterEach(async () => rm(root, { recursive: true, force: true }));

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
}

/** The settings an embedded install would have with only its data folder set. */
const configIn = (dataDir: string, env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: dataDir, ...env });

describe('the master key file', () => {
  it('defaults to <data folder>-keys/master.key beside the data folder, not inside it', () => {
    const data = path.join(root, 'data');
    const config = configIn(data);
    expect(config.masterKeyFile).toBe(path.join(root, 'data-keys', 'master.key'));
    expect(isInside(config.masterKeyFile, config.dataDir)).toBe(false);
    // With nothing set at all: ./data-keys/master.key beside ./data.
    const bare = loadConfig({ NODE_ENV: 'test' });
    expect(bare.masterKeyFile).toBe(path.resolve('data-keys', 'master.key'));
    expect(isInside(bare.masterKeyFile, bare.dataDir)).toBe(false);
  });

  it('is inside the data folder whatever its name, "..key" included; outside only above it', () => {
    const data = path.join(root, 'data');
    expect(isInside(path.join(data, '..key'), data)).toBe(true);
    expect(isInside(path.join(data, '..', 'data-keys', 'master.key'), data)).toBe(false);
    expect(isInside(path.join(data, 'sub', '..', '..key'), data)).toBe(true);
    expect(isInside(root, data)).toBe(false);
    expect(isInside(data, data)).toBe(true);
    const named = configIn(data, { LANTERN_MASTER_KEY_FILE: path.join(data, '..key') });
    expect(() => keyringLoader(named, recordingLog())).toThrow(/is inside the data folder/);
  });

  it('is created outside the data folder on a first run (mode 0600, folder 0700)', () => {
    const config = configIn(path.join(root, 'data'));
    const log = recordingLog();
    const ring = keyringLoader(config, log)();
    expect(readKeyFile(config.masterKeyFile).current.id).toBe(ring.current.id);
    expect(statSync(config.masterKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(config.masterKeyFile)).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(root, 'data', 'master.key'))).toBe(false);
    expect(log.warnings.join('\n')).toMatch(/Created a new master key .* outside the data folder/);
  });

  it('is refused at start-up when it is inside the data folder, named or through a symlink', () => {
    const data = path.join(root, 'data');
    const inside = configIn(data, { LANTERN_MASTER_KEY_FILE: path.join(data, 'secrets', 'm.key') });
    expect(() => keyringLoader(inside, recordingLog())).toThrow(
      /master key file .* is inside the data folder/,
    );
    expect(existsSync(path.join(data, 'secrets', 'm.key'))).toBe(false);

    // A folder outside that is really a link into the data folder is inside it too.
    mkdirSync(path.join(data, 'hidden'), { recursive: true });
    symlinkSync(path.join(data, 'hidden'), path.join(root, 'looks-outside'));
    const linked = configIn(data, {
      LANTERN_MASTER_KEY_FILE: path.join(root, 'looks-outside', 'master.key'),
    });
    expect(() => keyringLoader(linked, recordingLog())).toThrow(/inside the data folder/);
  });

  it('at the old default inside the data folder, is moved out with a warning, and opens as before', () => {
    const data = path.join(root, 'data');
    const key = newMasterKey();
    writeKeyFile(path.join(data, 'master.key'), [key]);
    const config = configIn(data);
    const log = recordingLog();
    const ring = keyringLoader(config, log)();
    expect(ring.current.id).toBe(key.id);
    expect(existsSync(path.join(data, 'master.key'))).toBe(false);
    expect(readKeyFile(config.masterKeyFile).current.id).toBe(key.id);
    expect(statSync(config.masterKeyFile).mode & 0o777).toBe(0o600);
    expect(log.warnings.join('\n')).toMatch(
      /Moved the master key from \S*data.master\.key \(inside the data folder/,
    );
    // The next start finds it in its new place and says nothing.
    const again = recordingLog();
    expect(keyringLoader(config, again)().current.id).toBe(key.id);
    expect(again.warnings).toEqual([]);
  });

  it('at the old default, and a different key at the new place: start-up stops, nothing deleted', () => {
    const data = path.join(root, 'data');
    writeKeyFile(path.join(data, 'master.key'), [newMasterKey()]);
    const config = configIn(data);
    writeKeyFile(config.masterKeyFile, [newMasterKey()]);
    chmodSync(config.masterKeyFile, 0o600);
    const before = readFileSync(path.join(data, 'master.key'));
    expect(() => keyringLoader(config, recordingLog())).toThrow(/a different one at/);
    expect(readFileSync(path.join(data, 'master.key'))).toEqual(before);
  });
});
