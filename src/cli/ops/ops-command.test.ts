// `lantern ops` as an operator runs it (a real child process), without a cluster: configure
// writes pgbackrest.conf and prints the archive command; the refusals — a passphrase file inside
// the repository, a restore into a non-empty folder, a target without its zone — each with a
// clear message and nothing written. The whole path with pgBackRest is the restore drill's.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLantern } from '../../test/cli-process.ts';

let base: string;

function ops(args: string[], env: Record<string, string>) {
  return runLantern(['ops', ...args], {
    NODE_ENV: 'test',
    LANTERN_DATA_DIR: path.join(base, 'data'),
    ...env,
  });
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'lantern-ops-'));
  mkdirSync(path.join(base, 'secret'));
  mkdirSync(path.join(base, 'repo'));
  writeFileSync(path.join(base, 'secret', 'pass'), 'a-long-backup-passphrase-0123\n');
  writeFileSync(path.join(base, 'repo', 'pass'), 'a-long-backup-passphrase-0123\n');
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('lantern ops (command line)', () => {
  it('writes pgbackrest.conf without the passphrase and prints the archive command', async () => {
    const conf = path.join(base, 'etc', 'pgbackrest.conf');
    const r = await ops(
      [
        'configure',
        '--config',
        conf,
        '--repo',
        path.join(base, 'repo'),
        '--retention-full',
        '3',
        '--pg-data',
        path.join(base, 'pg'),
        '--log-path',
        path.join(base, 'log'),
        '--lock-path',
        path.join(base, 'lock'),
        '--archive-timeout',
        '45',
      ],
      { LANTERN_BACKUP_PASSPHRASE_FILE: path.join(base, 'secret', 'pass') },
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(conf, 'utf8');
    expect(text).toContain('repo1-cipher-type=aes-256-cbc');
    expect(text).toContain('repo1-retention-full=3');
    expect(text).not.toContain('a-long-backup-passphrase');
    expect(r.stdout).toContain(
      `archive_command = 'PGBACKREST_REPO1_CIPHER_PASS="$(cat ${path.join(base, 'secret', 'pass')})"`,
    );
    expect(r.stdout).toContain('archive_timeout = 45');
    expect(r.stdout).not.toContain('a-long-backup-passphrase');
  });

  it('refuses a passphrase file inside the repository, writing nothing', async () => {
    const conf = path.join(base, 'etc2', 'pgbackrest.conf');
    const r = await ops(
      ['configure', '--config', conf, '--repo', path.join(base, 'repo'), '--retention-full', '3'],
      { LANTERN_BACKUP_PASSPHRASE_FILE: path.join(base, 'repo', 'pass') },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /is inside the repository .*a copy of the backups would carry the means to open them/,
    );
    expect(existsSync(conf)).toBe(false);
  });

  it('refuses a restore into a non-empty folder and a target without its zone', async () => {
    const occupied = path.join(base, 'occupied');
    mkdirSync(occupied);
    writeFileSync(path.join(occupied, 'PG_VERSION'), '15');
    const env = { LANTERN_BACKUP_PASSPHRASE_FILE: path.join(base, 'secret', 'pass') };
    const full = await ops(
      ['restore', '--target', '2026-12-06 10:00:00+00', '--to', occupied],
      env,
    );
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(
      /is not empty \(1 entries\): a restore goes only into a new, empty data folder/,
    );
    expect(readdirSync(occupied)).toEqual(['PG_VERSION']);
    const zoneless = await ops(
      ['restore', '--target', '2026-12-06 10:00', '--to', path.join(base, 'new')],
      env,
    );
    expect(zoneless.code).toBe(1);
    expect(zoneless.stderr).toMatch(/--target must be a date and time with its zone/);
    expect(existsSync(path.join(base, 'new'))).toBe(false);
  });
});
