// `lantern backup --out FILE` and `lantern restore FILE --data-dir DIR`: the embedded engine's
// encrypted backups (format in src/platform/backup/backup-file.ts). A running server makes the
// backup itself when asked over its socket (PGlite is one process's); with no server running, the
// CLI opens the data folder and makes it. Neither holds the master key. PostgreSQL installations
// back up with `lantern ops` (pgBackRest) instead.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { embeddedDbDir } from '../platform/services.ts';
import { openDatabase } from '../platform/db/engine.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { readBackupFile } from '../platform/backup/backup-file.ts';
import { backupEmbeddedTo, requestBackup } from '../platform/backup/embedded.ts';
import { BackupSetupError, readBackupPassphrase } from '../platform/backup/passphrase.ts';

function embeddedOnly(config: Config, what: string): void {
  if (config.databaseUrl) {
    throw new BackupSetupError(
      `\`lantern ${what}\` is for the embedded database; with PostgreSQL use \`lantern ops\` (pgBackRest, docs/OPERATIONS.md).`,
    );
  }
}

/** Refuses a folder that exists and holds anything: a restore never overwrites. */
export function refuseNonEmpty(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BackupSetupError(
      `${dir} is not empty: a backup is restored only into a new, empty data folder, so nothing ` +
        'is overwritten. Choose another folder, or move this one aside.',
    );
  }
}

export function registerBackupCommands(program: Command, config: () => Config): void {
  program
    .command('backup')
    .description(
      'Write an encrypted backup of the embedded database (AES-256-GCM, key from the backup ' +
        'passphrase by argon2id; without the master key). Asks the running server to make it, ' +
        'or opens the data folder when no server runs.',
    )
    .requiredOption('--out <file>', 'the backup file to write (must not exist)')
    .action(async (o: { out: string }) => {
      const c = config();
      embeddedOnly(c, 'backup');
      const out = path.resolve(o.out);
      if (existsSync(out)) throw new BackupSetupError(`${out} exists: choose a new file name.`);
      // Checked here too, so a passphrase file beside the backups is refused before any work.
      const passphrase = readBackupPassphrase(c, path.dirname(out));
      if (await requestBackup(c.dataDir, out, passphrase)) {
        console.log(`The running server wrote the backup to ${out}.`);
        return;
      }
      // No server answered. PGlite keeps postmaster.pid while a process has the folder open:
      // opening it a second time could corrupt it, so refuse rather than guess.
      if (existsSync(path.join(embeddedDbDir(c), 'postmaster.pid'))) {
        throw new BackupSetupError(
          `${c.dataDir} is open in another process that did not answer on its backup socket ` +
            `(${path.join(c.dataDir, 'backup.sock')}). Start the server and try again, or, if no ` +
            'Lantern runs on it (it stopped abruptly), start and stop it once to close the folder cleanly.',
        );
      }
      if (!existsSync(embeddedDbDir(c))) {
        throw new BackupSetupError(`There is no embedded database in ${c.dataDir}.`);
      }
      const db = await openDatabase({ engine: 'embedded', dir: embeddedDbDir(c) });
      try {
        await backupEmbeddedTo(db, c, out);
      } finally {
        await db.close();
      }
      console.log(`Wrote the backup to ${out} (no server was running).`);
    });

  program
    .command('restore')
    .description(
      'Restore an embedded backup into a new, empty data folder. Checks the passphrase and every ' +
        "byte before writing anything. Start Lantern on it with the original installation's master key.",
    )
    .argument('<file>', 'the backup file')
    .requiredOption('--data-dir <dir>', 'the new data folder (missing or empty)')
    .action(async (file: string, o: { dataDir: string }) => {
      const c = config();
      embeddedOnly(c, 'restore');
      const dir = path.resolve(o.dataDir);
      refuseNonEmpty(dir);
      const tar = await readBackupFile(path.resolve(file), readBackupPassphrase(c));
      const db = await openDatabase({
        engine: 'embedded',
        dir: path.join(dir, 'pgdata'),
        snapshot: new Blob([new Uint8Array(tar)]),
      });
      try {
        const [n] = await unsafeAsOwner(db, (q) =>
          q.query<{ schools: number }>('SELECT count(*)::int AS schools FROM schools'),
        );
        console.log(`Restored ${n?.schools ?? 0} schools into ${dir}.`);
      } finally {
        await db.close();
      }
      console.log(
        `Start Lantern with LANTERN_DATA_DIR=${dir} and the master key of the installation the ` +
          `backup came from (LANTERN_MASTER_KEY, or its key file copied to ${dir}-keys/master.key).`,
      );
    });
}
