// Starts Lantern: configuration, database (migrated), keys, demo data on a first embedded run,
// then the HTTP server. Stops cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { createServices, jsonLog } from './platform/services.ts';
import { markShuttingDown } from './http/operations.ts';
import { buildApp } from './http/app.ts';
import { FEATURES } from './features.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';
import { startMisScheduler } from './features/mis/scheduler.ts';
import { startDueWork } from './jobs/due-work.ts';
import { startEmbeddedMaintenance } from './jobs/maintenance.ts';
import { startWorkQueue } from './jobs/work-queue.ts';
import { startEmbeddedBackups } from './jobs/embedded-backups.ts';
import { startAuditAnchors } from './jobs/audit-anchors.ts';
import { startUnusualAccessScan } from './jobs/unusual-access.ts';
import { startPatternScan } from './jobs/pupil-patterns.ts';
import { startRollupFold } from './jobs/report-rollup.ts';
import { startTrustFigures } from './jobs/trust-figures.ts';
import { startSearchReindex } from './jobs/search-reindex.ts';
import { startExportRunner } from './features/school-exit/app-export.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // JSON lines, as the request log, unless the log is turned off.
  const log = config.logLevel === 'silent' ? undefined : jsonLog();
  const services = await createServices(config, log ? { log } : {});
  if (config.demoData) await seedDemoIfEmpty(services);
  // Signed chain heads outside the database, daily; refuses to start on a folder it cannot write.
  const stopAnchors = await startAuditAnchors(services);
  const { app } = await buildApp(services, FEATURES);
  await app.listen({ port: config.port, host: config.host });
  // Pull connectors on each school's schedule (state in the database, so restarts resume).
  const misScheduler = startMisScheduler(services);
  // Alert escalation, overdue referrals and action reminders, once a minute.
  const stopDueWork = startDueWork(services);
  // The embedded engine has no autovacuum: keep the planner's statistics fresh ourselves.
  const stopMaintenance = startEmbeddedMaintenance(services);
  // Emails and other work done after the answer, from a queue that survives a restart.
  const workQueue = startWorkQueue(services);
  // Schools' exports asked for in the app: their own runner, so mail never waits behind one.
  const exportRunner = startExportRunner(services);
  // The embedded engine's scheduled backups, and the socket `lantern backup` asks through.
  const stopBackups = await startEmbeddedBackups(services);
  // Unusual access to records (many pupils in an hour, out of hours, bulk exports…), every 5 minutes.
  const stopUnusualAccess = startUnusualAccessScan(services);
  const stopPatterns = startPatternScan(services);
  // The reports' daily rollup: what requests appended folded into one row per key.
  const stopRollupFold = startRollupFold(services);
  // Issue 20: each sharing school's figures for its trust, hourly.
  const stopTrustFigures = startTrustFigures(services);
  // Issue 14: records indexed before search found word forms, re-indexed a batch at a time.
  const stopSearchReindex = startSearchReindex(services);
  services.log.info(
    `Lantern is running at ${config.publicOrigin} on ${services.db.engine === 'embedded' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}`,
  );
  const stop = async () => {
    // Not ready first (/readyz answers 503), so a load balancer stops sending new requests while
    // those in flight finish; then the jobs, the server and the database.
    markShuttingDown(app);
    await new Promise((r) => setTimeout(r, config.shutdownGraceMs));
    // Each waits for a run in progress, so its lease is released before the database closes.
    // First: aborts an export in progress (its staging folder and partial removed, job failed).
    await exportRunner.stop();
    await stopDueWork();
    await stopMaintenance();
    await misScheduler.stop();
    await workQueue.stop();
    await stopBackups();
    await stopAnchors();
    await stopUnusualAccess();
    await stopPatterns();
    await stopRollupFold();
    await stopTrustFigures();
    await stopSearchReindex();
    await app.close();
    await services.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
