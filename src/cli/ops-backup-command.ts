// `lantern ops …`: backups and point-in-time restore of the operator's PostgreSQL, driven through
// pgBackRest (Debian's package). `configure` writes pgbackrest.conf and prints what goes in
// postgresql.conf; `stanza-create`, `backup`, `info` and `restore` call pgbackrest with the backup
// passphrase in its environment. Run them as the postgres user (or as root with --run-as postgres).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { readBackupPassphrase } from '../platform/backup/passphrase.ts';
import {
  checkEmptyDataDir,
  checkRestoreTarget,
  checkSettings,
  OpsError,
  parseInfo,
  parseTarget,
  postgresqlConfLines,
  repoPathOf,
  restoreArgs,
  runPgbackrest,
  targetText,
  writeConf,
  type StanzaSettings,
} from './ops/pgbackrest.ts';

type Common = { config: string; stanza: string; runAs?: string };

function withCommon(cmd: Command): Command {
  return cmd
    .option(
      '--config <file>',
      'pgbackrest.conf to write or read',
      '/etc/pgbackrest/pgbackrest.conf',
    )
    .option('--stanza <name>', "the stanza (pgBackRest's name for this cluster)", 'lantern')
    .option('--run-as <user>', 'run pgbackrest as this user via runuser (when you are root)');
}

/** The passphrase, refused when its file sits inside the repository this config names. */
function passphraseFor(config: Config, o: Common): string {
  let repo: string | undefined;
  try {
    repo = repoPathOf(readFileSync(o.config, 'utf8'));
  } catch {
    throw new OpsError(`Cannot read ${o.config}: run \`lantern ops configure\` first.`);
  }
  return readBackupPassphrase(config, repo);
}

/** The settings a restore's restore_command needs, read back from the written config. */
function settingsFrom(config: Config, o: Common): StanzaSettings {
  const text = readFileSync(o.config, 'utf8');
  const get = (key: string) => new RegExp(`^${key}=(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  if (!config.backup.passphraseFile) {
    throw new OpsError(
      'A restore needs LANTERN_BACKUP_PASSPHRASE_FILE: the restored PostgreSQL reads the passphrase from it to fetch WAL.',
    );
  }
  return checkSettings({
    stanza: o.stanza,
    configPath: o.config,
    repoPath: get('repo1-path'),
    pgData: get('pg1-path'),
    pgPort: Number(get('pg1-port')),
    pgSocketDir: get('pg1-socket-path'),
    retentionFull: Number(get('repo1-retention-full')),
    passphraseFile: config.backup.passphraseFile,
    logPath: get('log-path'),
    lockPath: get('lock-path'),
  });
}

export function registerOpsCommands(program: Command, config: () => Config): void {
  const ops = program
    .command('ops')
    .description(
      'Backups and point-in-time restore of PostgreSQL with pgBackRest (docs/OPERATIONS.md).',
    );

  withCommon(ops.command('configure'))
    .description(
      'Write pgbackrest.conf for the stanza (encrypted repository, retention) and print the ' +
        'postgresql.conf lines that archive every WAL segment into it. Needs ' +
        'LANTERN_BACKUP_PASSPHRASE_FILE, outside the repository.',
    )
    .requiredOption('--repo <dir>', 'the repository folder (a second disk or mounted store)')
    .requiredOption('--retention-full <n>', 'how many full backups to keep', Number)
    .option('--pg-data <dir>', "the cluster's data folder", '/var/lib/postgresql/15/main')
    .option('--pg-port <port>', "the cluster's port", Number, 5432)
    .option('--pg-socket <dir>', "the cluster's socket folder", '/var/run/postgresql')
    .option(
      '--archive-timeout <seconds>',
      'switch WAL at least this often (bounds RPO: about this plus a second)',
      Number,
      30,
    )
    .option('--log-path <dir>', "pgBackRest's log folder", '/var/log/pgbackrest')
    .option('--lock-path <dir>', "pgBackRest's lock folder", '/tmp/pgbackrest')
    .action(
      (
        o: Common & {
          repo: string;
          retentionFull: number;
          pgData: string;
          pgPort: number;
          pgSocket: string;
          archiveTimeout: number;
          logPath: string;
          lockPath: string;
        },
      ) => {
        const c = config();
        if (!c.backup.passphraseFile) {
          throw new OpsError(
            'Set LANTERN_BACKUP_PASSPHRASE_FILE: PostgreSQL reads the passphrase from that file when it archives WAL.',
          );
        }
        if (!Number.isInteger(o.archiveTimeout) || o.archiveTimeout < 1) {
          throw new OpsError('--archive-timeout must be a whole number of seconds.');
        }
        const s = checkSettings({
          stanza: o.stanza,
          configPath: o.config,
          repoPath: o.repo,
          pgData: o.pgData,
          pgPort: o.pgPort,
          pgSocketDir: o.pgSocket,
          retentionFull: o.retentionFull,
          passphraseFile: c.backup.passphraseFile,
          logPath: o.logPath,
          lockPath: o.lockPath,
        });
        readBackupPassphrase(c, s.repoPath);
        writeConf(s);
        console.log(`Wrote ${s.configPath}. Put these lines in postgresql.conf and restart:`);
        console.log(postgresqlConfLines(s, o.archiveTimeout));
        console.log(
          `Then: lantern ops stanza-create --config ${s.configPath} --stanza ${s.stanza}`,
        );
      },
    );

  withCommon(ops.command('stanza-create'))
    .description('Create the stanza in the repository (once, after configure and a restart).')
    .action(async (o: Common) => {
      await runPgbackrest([`--config=${o.config}`, `--stanza=${o.stanza}`, 'stanza-create'], {
        passphrase: passphraseFor(config(), o),
        ...(o.runAs ? { runAs: o.runAs } : {}),
      });
      console.log(`Stanza ${o.stanza} is ready.`);
    });

  withCommon(ops.command('backup'))
    .description(
      'Take a backup: full (everything), diff (changes since the last full) or incr (changes ' +
        'since the last backup). Expires backups past the retention afterwards.',
    )
    .option('--type <type>', 'full, diff or incr', 'incr')
    .action(async (o: Common & { type: string }) => {
      if (!['full', 'diff', 'incr'].includes(o.type)) {
        throw new OpsError('--type must be full, diff or incr.');
      }
      const run = {
        passphrase: passphraseFor(config(), o),
        ...(o.runAs ? { runAs: o.runAs } : {}),
      };
      await runPgbackrest(
        [`--config=${o.config}`, `--stanza=${o.stanza}`, `--type=${o.type}`, 'backup'],
        run,
      );
      console.log(`Took a ${o.type} backup of ${o.stanza}.`);
    });

  withCommon(ops.command('info'))
    .description('List the backups in the repository and the earliest point a restore can reach.')
    .action(async (o: Common) => {
      const backups = await backupsOf(config(), o);
      for (const b of backups) {
        console.log(
          `${b.label}  ${b.type.padEnd(4)}  finished ${targetText(b.stoppedAt)}  database ${mb(b.sizeBytes)}  in repository ${mb(b.repoBytes)}`,
        );
      }
      console.log(
        backups[0]
          ? `Earliest restore point: ${targetText(new Date(backups[0].stoppedAt.getTime() + 1000))}`
          : 'No backups yet.',
      );
    });

  withCommon(ops.command('restore'))
    .description(
      'Restore to a point in time into a new, empty data folder (refuses a non-empty one, and a ' +
        'target before the first backup). PostgreSQL promotes itself at the target when started.',
    )
    .requiredOption('--target <time>', 'e.g. "2026-12-06 19:00:00+00"')
    .requiredOption('--to <dir>', 'the new data folder (missing or empty)')
    .action(async (o: Common & { target: string; to: string }) => {
      const c = config();
      const target = parseTarget(o.target);
      const to = path.resolve(o.to);
      checkEmptyDataDir(to);
      const s = settingsFrom(c, o);
      const backups = await backupsOf(c, o);
      checkRestoreTarget(target, backups, new Date());
      await runPgbackrest(restoreArgs(s, target, to), {
        passphrase: passphraseFor(c, o),
        ...(o.runAs ? { runAs: o.runAs } : {}),
      });
      console.log(`Restored ${o.stanza} to ${targetText(target)} in ${to}.`);
      console.log(
        `Next: lantern ops configure --pg-data ${to} … (so WAL archiving follows the new folder), then start PostgreSQL on it.`,
      );
    });
}

async function backupsOf(config: Config, o: Common) {
  const { stdout } = await runPgbackrest(
    [`--config=${o.config}`, `--stanza=${o.stanza}`, '--output=json', 'info'],
    { passphrase: passphraseFor(config, o), ...(o.runAs ? { runAs: o.runAs } : {}) },
  );
  return parseInfo(stdout, o.stanza);
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
