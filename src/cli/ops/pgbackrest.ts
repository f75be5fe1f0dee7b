// pgBackRest for the operator's PostgreSQL (issue 16): the configuration Lantern writes for a
// stanza, the lines to put in postgresql.conf, the checks made before a restore, and the one
// runner that calls the pgbackrest program. pgBackRest does the work (WAL archiving, full,
// differential and incremental backups, the repository cipher, retention, restore): nothing
// here copies, encrypts or expires a file itself.
//
// What this protects: the repository is encrypted (aes-256-cbc, pgBackRest's repository cipher)
// under the backup passphrase, which is never written into pgbackrest.conf or beside the
// repository; pgBackRest gets it in its environment (PGBACKREST_REPO1_CIPHER_PASS), read from the
// passphrase file by the shell PostgreSQL runs archive_command and restore_command in. Every path
// written into a shell command is checked against SAFE_PATH first: change that pattern only with
// the quoting of archiveCommand and restoreCommand in mind.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isInside } from '../../platform/crypto/master-key.ts';

export const PGBACKREST = '/usr/bin/pgbackrest';

export type StanzaSettings = {
  /** The stanza's name, e.g. `lantern`. */
  stanza: string;
  /** Where pgbackrest.conf is written and read. */
  configPath: string;
  /** The repository: a second disk or mounted store in production. */
  repoPath: string;
  /** The cluster's data folder, port and socket folder. */
  pgData: string;
  pgPort: number;
  pgSocketDir: string;
  /** Full backups kept (older ones and the WAL they need expire). */
  retentionFull: number;
  /** The backup passphrase's file, read by PostgreSQL's archive and restore commands. */
  passphraseFile: string;
  logPath: string;
  lockPath: string;
};

export class OpsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OpsError';
  }
}

const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const SAFE_STANZA = /^[A-Za-z0-9_-]{1,64}$/;

function safePath(what: string, p: string): string {
  if (!SAFE_PATH.test(p) || p.split('/').includes('..')) {
    throw new OpsError(
      `${what} must be an absolute path of letters, digits, '.', '_', '-' and '/' (got "${p}"): it is written into shell commands PostgreSQL runs.`,
    );
  }
  return path.normalize(p);
}

/** Checks every setting; refuses a passphrase file inside the repository. */
export function checkSettings(s: StanzaSettings): StanzaSettings {
  if (!SAFE_STANZA.test(s.stanza)) {
    throw new OpsError(`--stanza must be letters, digits, '_' or '-' (got "${s.stanza}").`);
  }
  if (!Number.isInteger(s.retentionFull) || s.retentionFull < 1 || s.retentionFull > 9999) {
    throw new OpsError('--retention-full must be a whole number of full backups, 1 or more.');
  }
  if (!Number.isInteger(s.pgPort) || s.pgPort < 1 || s.pgPort > 65535) {
    throw new OpsError('--pg-port must be a port number.');
  }
  const checked = {
    ...s,
    configPath: safePath('--config', s.configPath),
    repoPath: safePath('--repo', s.repoPath),
    pgData: safePath('--pg-data', s.pgData),
    pgSocketDir: safePath('--pg-socket', s.pgSocketDir),
    passphraseFile: safePath('LANTERN_BACKUP_PASSPHRASE_FILE', s.passphraseFile),
    logPath: safePath('--log-path', s.logPath),
    lockPath: safePath('--lock-path', s.lockPath),
  };
  if (isInside(checked.passphraseFile, checked.repoPath)) {
    throw new OpsError(
      `The backup passphrase file ${checked.passphraseFile} is inside the repository ${checked.repoPath}: ` +
        'a copy of the backups would carry the means to open them. Keep it elsewhere, as the master key is.',
    );
  }
  if (isInside(checked.repoPath, checked.pgData) || isInside(checked.pgData, checked.repoPath)) {
    throw new OpsError('The repository and the data folder must not be inside one another.');
  }
  return checked;
}

/** pgbackrest.conf for one stanza. Holds no secret: the passphrase comes from the environment. */
export function pgbackrestConf(s: StanzaSettings): string {
  return [
    '# Written by `lantern ops configure`. The repository passphrase is not here: pgBackRest',
    '# reads it from PGBACKREST_REPO1_CIPHER_PASS, which Lantern and the archive and restore',
    '# commands in postgresql.conf fill from the passphrase file.',
    '[global]',
    `repo1-path=${s.repoPath}`,
    'repo1-cipher-type=aes-256-cbc',
    `repo1-retention-full=${s.retentionFull}`,
    'compress-type=lz4',
    'start-fast=y',
    `log-path=${s.logPath}`,
    `lock-path=${s.lockPath}`,
    'log-level-console=warn',
    'log-level-file=info',
    '',
    `[${s.stanza}]`,
    `pg1-path=${s.pgData}`,
    `pg1-port=${s.pgPort}`,
    `pg1-socket-path=${s.pgSocketDir}`,
    '',
  ].join('\n');
}

/** `PGBACKREST_REPO1_CIPHER_PASS="$(cat FILE)" pgbackrest --config=… --stanza=… [more]`. */
function withPassphrase(s: StanzaSettings, more: string): string {
  return `PGBACKREST_REPO1_CIPHER_PASS="$(cat ${s.passphraseFile})" ${PGBACKREST} --config=${s.configPath} --stanza=${s.stanza} ${more}`;
}

/** The shell command PostgreSQL runs for each finished WAL segment. */
export function archiveCommand(s: StanzaSettings): string {
  return withPassphrase(s, 'archive-push %p');
}

/** The shell command a restored cluster fetches WAL with (from the folder it was restored to). */
export function restoreCommand(s: StanzaSettings, pgData: string): string {
  return withPassphrase(s, `--pg1-path=${safePath('--to', pgData)} archive-get %f "%p"`);
}

const quoted = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * The postgresql.conf lines for continuous archiving. archive_timeout bounds how long a quiet
 * server keeps acknowledged commits in a WAL segment not yet archived (the RPO).
 */
export function postgresqlConfLines(s: StanzaSettings, archiveTimeoutSeconds: number): string {
  return [
    'wal_level = replica',
    'archive_mode = on',
    `archive_command = ${quoted(archiveCommand(s))}`,
    `archive_timeout = ${archiveTimeoutSeconds}`,
    '',
  ].join('\n');
}

/** The repository path written by pgbackrestConf, read back from the file's text. */
export function repoPathOf(confText: string): string | undefined {
  return /^repo1-path=(.+)$/m.exec(confText)?.[1]?.trim();
}

export type BackupInfo = {
  label: string;
  type: 'full' | 'diff' | 'incr';
  startedAt: Date;
  stoppedAt: Date;
  /** The database's size, and what this backup added to the repository (compressed). */
  sizeBytes: number;
  repoBytes: number;
};

/** The backups of `stanza` from `pgbackrest info --output=json`, oldest first. */
export function parseInfo(json: string, stanza: string): BackupInfo[] {
  type Raw = {
    name: string;
    backup?: {
      label: string;
      type: BackupInfo['type'];
      timestamp: { start: number; stop: number };
      info: { size: number; repository: { delta: number } };
    }[];
  };
  let parsed: Raw[];
  try {
    parsed = JSON.parse(json) as Raw[];
  } catch {
    throw new OpsError('pgbackrest info did not answer in JSON.');
  }
  const entry = parsed.find((p) => p.name === stanza);
  if (!entry) throw new OpsError(`pgBackRest knows no stanza "${stanza}".`);
  return (entry.backup ?? [])
    .map((b) => ({
      label: b.label,
      type: b.type,
      startedAt: new Date(b.timestamp.start * 1000),
      stoppedAt: new Date(b.timestamp.stop * 1000),
      sizeBytes: b.info.size,
      repoBytes: b.info.repository.delta,
    }))
    .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
}

/**
 * The earliest moment a restore can reach: the second after the oldest backup finished (its stop
 * time is whole seconds, rounded down, so the next second is surely after it was consistent).
 */
export function earliestRestorePoint(backups: BackupInfo[]): Date | null {
  const first = backups[0];
  return first ? new Date(first.stoppedAt.getTime() + 1000) : null;
}

const TARGET =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** A restore target: a date and time with its zone ("2026-12-06 19:00:00+00", or ISO 8601). */
export function parseTarget(text: string): Date {
  const m = TARGET.exec(text.trim());
  if (!m) {
    throw new OpsError(
      `--target must be a date and time with its zone, such as "2026-12-06 19:00:00+00" or ` +
        `"2026-12-06T19:00:00Z" (got "${text}").`,
    );
  }
  const zone =
    m[3] === 'Z'
      ? 'Z'
      : m[3]!.length === 3
        ? `${m[3]}:00`
        : m[3]!.replace(/^(...)(\d\d)$/, '$1:$2');
  const when = new Date(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(when.getTime())) throw new OpsError(`--target "${text}" is not a real time.`);
  return when;
}

/** PostgreSQL's form of a target time (UTC, milliseconds). */
export function targetText(when: Date): string {
  return `${when.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

/** Refuses a target before the first backup could be restored to, or in the future. */
export function checkRestoreTarget(target: Date, backups: BackupInfo[], now: Date): void {
  const earliest = earliestRestorePoint(backups);
  if (!earliest) {
    throw new OpsError(
      'The repository holds no backup yet: take one (lantern ops backup --type full).',
    );
  }
  if (target < earliest) {
    throw new OpsError(
      `The target ${targetText(target)} is before the first backup finished: the earliest point ` +
        `this repository can restore to is ${targetText(earliest)}. Nothing was restored.`,
    );
  }
  if (target > now) {
    throw new OpsError(`The target ${targetText(target)} is in the future. Nothing was restored.`);
  }
}

/** Refuses a data folder that exists and holds anything. A missing one is made by pgBackRest. */
export function checkEmptyDataDir(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new OpsError(
      `Cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
    );
  }
  if (entries.length > 0) {
    throw new OpsError(
      `${dir} is not empty (${entries.length} entries): a restore goes only into a new, empty ` +
        'data folder, so nothing is overwritten. Choose another folder, or move this one aside.',
    );
  }
}

/**
 * The arguments of a restore into `to`, promoted once its target is reached: a point in time, or
 * the end of the archived WAL of the backup's own timeline (what a failure leaves to restore).
 */
export function restoreArgs(
  s: StanzaSettings,
  target: Date | 'end-of-archive',
  to: string,
): string[] {
  return [
    `--config=${s.configPath}`,
    `--stanza=${s.stanza}`,
    `--pg1-path=${safePath('--to', to)}`,
    ...(target === 'end-of-archive'
      ? ['--type=default', '--target-timeline=current']
      : ['--type=time', `--target=${targetText(target)}`, '--target-action=promote']),
    `--recovery-option=restore_command=${restoreCommand(s, to)}`,
    'restore',
  ];
}

export type RunOptions = {
  passphrase: string;
  /** Run as this user through runuser (an operator working as root); else as oneself. */
  runAs?: string;
};

/** Runs pgbackrest with the passphrase in its environment only. Throws with its own message. */
export async function runPgbackrest(
  args: string[],
  o: RunOptions,
): Promise<{ stdout: string; stderr: string }> {
  const [cmd, ...rest] = o.runAs
    ? ['/usr/sbin/runuser', '-u', o.runAs, '--', PGBACKREST, ...args]
    : [PGBACKREST, ...args];
  try {
    return await promisify(execFile)(cmd, rest, {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', PGBACKREST_REPO1_CIPHER_PASS: o.passphrase },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const said = (e.stderr || e.stdout || e.message).trim();
    throw new OpsError(`pgbackrest ${args.at(-1) ?? ''} failed: ${said}`, { cause: err });
  }
}

/** Written beside itself and renamed into place; it holds no secret, so PostgreSQL may read it. */
export function writeConf(s: StanzaSettings): void {
  mkdirSync(path.dirname(s.configPath), { recursive: true });
  const tmp = `${s.configPath}.tmp-${process.pid}`;
  writeFileSync(tmp, pgbackrestConf(s), { mode: 0o644 });
  renameSync(tmp, s.configPath);
}
