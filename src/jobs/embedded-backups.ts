// The embedded engine's backups from the running server (issue 16): the socket `lantern backup`
// asks through (the CLI cannot open a data folder the server holds), and the scheduled backup —
// checked each minute, taken once a day at LANTERN_BACKUP_HOUR into LANTERN_BACKUP_DIR, the
// newest LANTERN_BACKUP_KEEP kept. An operator's setting, not a school's: the one embedded
// database holds every school. A failure is logged and tried again the next minute.
import type { Services } from '../platform/services.ts';
import { runScheduledBackup, serveBackupSocket } from '../platform/backup/embedded.ts';

export async function startEmbeddedBackups(
  services: Services,
  opts: { everyMs?: number } = {},
): Promise<() => Promise<void>> {
  if (services.db.engine !== 'embedded') return async () => undefined;
  const { config, db, log } = services;
  // Without the socket (a data folder path too long for one, say) the server still runs and the
  // scheduled backup still works; `lantern backup` then refuses, seeing the folder open
  // (PGlite's postmaster.pid) with no server answering.
  const closeSocket = await serveBackupSocket(db, config, log).catch((err: unknown) => {
    if (err instanceof Error && /Another Lantern server holds/.test(err.message)) throw err;
    log.warn(
      `The backup socket could not be opened (${(err as Error).message}): \`lantern backup\` cannot ask this server for a backup; the scheduled backup still runs.`,
    );
    return async () => undefined;
  });
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || !config.backup.dir) return;
    running = runScheduledBackup(db, config, services.clock.now())
      .then((file) => {
        if (file) log.info(`Scheduled backup written: ${file}`);
      })
      .catch((err: unknown) =>
        log.error(`The scheduled backup failed (will retry): ${(err as Error).message}`),
      )
      .finally(() => {
        running = null;
      });
  };
  const every = setInterval(tick, opts.everyMs ?? 60_000);
  every.unref();
  // Stopping waits for a backup being written, so no half-written file is left behind.
  return async () => {
    clearInterval(every);
    await running;
    await closeSocket();
  };
}
