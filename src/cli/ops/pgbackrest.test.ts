// The pure pieces of `lantern ops`: the pgbackrest.conf and postgresql.conf lines written, the
// settings refused (a passphrase file inside the repository, unsafe paths), the restore target
// parsed and checked against the first backup, and a non-empty data folder refused.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  archiveCommand,
  checkEmptyDataDir,
  checkRestoreTarget,
  checkSettings,
  earliestRestorePoint,
  parseInfo,
  parseTarget,
  pgbackrestConf,
  postgresqlConfLines,
  repoPathOf,
  restoreArgs,
  targetText,
  type StanzaSettings,
} from './pgbackrest.ts';

const settings: StanzaSettings = {
  stanza: 'lantern',
  configPath: '/etc/pgbackrest/pgbackrest.conf',
  repoPath: '/mnt/backup/pgbackrest',
  pgData: '/var/lib/postgresql/15/main',
  pgPort: 5432,
  pgSocketDir: '/var/run/postgresql',
  retentionFull: 4,
  passphraseFile: '/etc/lantern/backup.passphrase',
  logPath: '/var/log/pgbackrest',
  lockPath: '/tmp/pgbackrest',
};

const INFO = JSON.stringify([
  {
    name: 'lantern',
    backup: [
      {
        label: '20261206-190000F_20261206-191000I',
        type: 'incr',
        timestamp: { start: 1796583000, stop: 1796583010 },
        info: { size: 30_000_000, repository: { delta: 800_000 } },
      },
      {
        label: '20261206-190000F',
        type: 'full',
        timestamp: { start: 1796582400, stop: 1796582420 },
        info: { size: 29_000_000, repository: { delta: 6_000_000 } },
      },
    ],
  },
]);

describe('pgbackrest.conf and postgresql.conf', () => {
  it('writes an encrypted repository with the retention, and no passphrase', () => {
    const conf = pgbackrestConf(checkSettings(settings));
    expect(conf).toContain('repo1-path=/mnt/backup/pgbackrest');
    expect(conf).toContain('repo1-cipher-type=aes-256-cbc');
    expect(conf).toContain('repo1-retention-full=4');
    expect(conf).toContain('[lantern]\npg1-path=/var/lib/postgresql/15/main\npg1-port=5432');
    expect(conf).not.toMatch(/cipher-pass/);
    expect(repoPathOf(conf)).toBe('/mnt/backup/pgbackrest');
  });

  it('archives each WAL segment with the passphrase read from its file, quoted for postgresql.conf', () => {
    expect(archiveCommand(settings)).toBe(
      'PGBACKREST_REPO1_CIPHER_PASS="$(cat /etc/lantern/backup.passphrase)" /usr/bin/pgbackrest ' +
        '--config=/etc/pgbackrest/pgbackrest.conf --stanza=lantern archive-push %p',
    );
    const lines = postgresqlConfLines(settings, 60);
    expect(lines).toContain('archive_mode = on');
    expect(lines).toContain('archive_timeout = 60');
    expect(lines).toContain(`archive_command = '${archiveCommand(settings)}'`);
  });

  it('refuses a passphrase file inside the repository', () => {
    expect(() =>
      checkSettings({ ...settings, passphraseFile: '/mnt/backup/pgbackrest/passphrase' }),
    ).toThrow(/inside the repository/);
  });

  it('refuses paths that could break out of the shell command, a bad stanza and retention', () => {
    expect(() => checkSettings({ ...settings, repoPath: '/mnt/x"; rm -rf /' })).toThrow(/--repo/);
    expect(() => checkSettings({ ...settings, passphraseFile: 'relative/file' })).toThrow(
      /LANTERN_BACKUP_PASSPHRASE_FILE/,
    );
    expect(() => checkSettings({ ...settings, stanza: 'a b' })).toThrow(/--stanza/);
    expect(() => checkSettings({ ...settings, retentionFull: 0 })).toThrow(/--retention-full/);
    expect(() =>
      checkSettings({ ...settings, repoPath: '/var/lib/postgresql/15/main/repo' }),
    ).toThrow(/inside one another/);
  });
});

describe('restore', () => {
  it('reads the backups oldest first and restores no earlier than a second after the first finished', () => {
    const backups = parseInfo(INFO, 'lantern');
    expect(backups.map((b) => b.type)).toEqual(['full', 'incr']);
    expect(earliestRestorePoint(backups)?.getTime()).toBe((1796582420 + 1) * 1000);
    expect(() => parseInfo(INFO, 'other')).toThrow(/no stanza "other"/);
  });

  it('parses targets with their zone, and refuses one without', () => {
    expect(parseTarget('2026-12-06 19:00:00+00').toISOString()).toBe('2026-12-06T19:00:00.000Z');
    expect(parseTarget('2026-12-06T20:00:00.250+01:00').toISOString()).toBe(
      '2026-12-06T19:00:00.250Z',
    );
    expect(parseTarget('2026-12-06 19:00Z').toISOString()).toBe('2026-12-06T19:00:00.000Z');
    expect(() => parseTarget('2026-12-06 19:00:00')).toThrow(/with its zone/);
    expect(() => parseTarget('yesterday')).toThrow(/--target/);
    expect(targetText(new Date('2026-12-06T19:00:00.250Z'))).toBe('2026-12-06 19:00:00.250+00');
  });

  it('refuses a target before the first backup, in the future, or with no backup at all', () => {
    const backups = parseInfo(INFO, 'lantern');
    const now = new Date((1796583010 + 3600) * 1000);
    expect(() => checkRestoreTarget(new Date(1796582420 * 1000), backups, now)).toThrow(
      /before the first backup finished: the earliest point this repository can restore to is 2026-12-06/,
    );
    expect(() => checkRestoreTarget(new Date(now.getTime() + 60_000), backups, now)).toThrow(
      /in the future/,
    );
    expect(() => checkRestoreTarget(now, [], now)).toThrow(/no backup yet/);
    expect(() => checkRestoreTarget(new Date((1796582421 + 5) * 1000), backups, now)).not.toThrow();
  });

  it('restores into a missing or empty folder, never a non-empty one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-ops-'));
    expect(() => checkEmptyDataDir(path.join(dir, 'new'))).not.toThrow();
    mkdirSync(path.join(dir, 'empty'));
    expect(() => checkEmptyDataDir(path.join(dir, 'empty'))).not.toThrow();
    writeFileSync(path.join(dir, 'PG_VERSION'), '15');
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    expect(() => checkEmptyDataDir(dir)).toThrow(
      /is not empty \(2 entries\): a restore goes only into a new, empty data folder/,
    );
  });

  it('asks pgBackRest for a time target, promoted, fetching WAL into the new folder', () => {
    const args = restoreArgs(settings, new Date('2026-12-06T19:00:00Z'), '/srv/pg-restored');
    expect(args).toContain('--type=time');
    expect(args).toContain('--target=2026-12-06 19:00:00.000+00');
    expect(args).toContain('--target-action=promote');
    expect(args).toContain('--pg1-path=/srv/pg-restored');
    expect(args.find((a) => a.startsWith('--recovery-option='))).toContain(
      '--pg1-path=/srv/pg-restored archive-get %f "%p"',
    );
    expect(args.at(-1)).toBe('restore');
    expect(restoreArgs(settings, 'end-of-archive', '/srv/x')).toContain(
      '--target-timeline=current',
    );
  });
});
