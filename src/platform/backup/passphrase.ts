// The backup passphrase (issue 16): what encrypts pgBackRest's repository and the embedded
// engine's backup files. Kept like the master key — in LANTERN_BACKUP_PASSPHRASE or a file named
// by LANTERN_BACKUP_PASSPHRASE_FILE — and never beside the backups it protects: a copy of the
// backups must not carry the means to open them. Change safely: every reader goes through here,
// so the rules (length, place) hold for both engines.
import { readFileSync } from 'node:fs';
import type { Config } from '../../config.ts';
import { isInside } from '../crypto/master-key.ts';

export const MIN_PASSPHRASE_LENGTH = 16;

export class BackupSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupSetupError';
  }
}

/** Refuses a passphrase file inside the folder that holds the backups. */
export function refusePassphraseInside(file: string, backupsDir: string): void {
  if (isInside(file, backupsDir)) {
    throw new BackupSetupError(
      `The backup passphrase file ${file} is inside the backup folder ${backupsDir}: anyone ` +
        'with a copy of the backups would hold the means to open them. Keep it elsewhere (as ' +
        'the master key is), for example /etc/lantern/backup.passphrase readable only by the ' +
        'service and postgres users.',
    );
  }
}

/**
 * The configured passphrase. `backupsDir`, when given, is where the backups live: a passphrase
 * file inside it is refused.
 */
export function readBackupPassphrase(config: Config, backupsDir?: string): string {
  const { passphrase, passphraseFile } = config.backup;
  let value = passphrase;
  if (value === undefined && passphraseFile) {
    if (backupsDir) refusePassphraseInside(passphraseFile, backupsDir);
    try {
      value = readFileSync(passphraseFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new BackupSetupError(
        `Cannot read the backup passphrase file ${passphraseFile} (LANTERN_BACKUP_PASSPHRASE_FILE): ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      );
    }
  }
  if (value === undefined) {
    throw new BackupSetupError(
      'No backup passphrase: set LANTERN_BACKUP_PASSPHRASE_FILE (a file readable only by the ' +
        'service) or LANTERN_BACKUP_PASSPHRASE. Keep it apart from the backups, as the master key is.',
    );
  }
  if (value.length < MIN_PASSPHRASE_LENGTH) {
    throw new BackupSetupError(
      `The backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`,
    );
  }
  return value;
}
