// `lantern school export | confirm-export | delete | deletions` (issue 15): a school's exit. The
// export's password is printed once, here, and nowhere else; the confirmation code is only inside
// the archive. The work is in features/school-exit/.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createServices, embeddedDbDir, type Services } from '../platform/services.ts';
import { DomainError } from '../core/errors.ts';
import { exportSchool } from '../features/school-exit/export.ts';
import { partialOf, stopArchiving } from '../features/school-exit/archive.ts';
import {
  confirmExport,
  deletionCertificate,
  DELETION_WITHIN_DAYS,
  listDeletions,
  requestDeletion,
  type DeletionCertificate,
} from '../features/school-exit/delete.ts';

async function withServices<T>(config: () => Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const c = config();
  // The embedded database is one process's: opening it beside a running server could corrupt it.
  if (!c.databaseUrl && existsSync(path.join(embeddedDbDir(c), 'postmaster.pid'))) {
    console.error(
      `${c.dataDir} is open in another process (the server?): stop it, then run this command again.`,
    );
    process.exitCode = 1;
    return undefined as T;
  }
  const services = await createServices(c, {
    log: { info: () => undefined, warn: console.warn, error: console.error },
    ensureLoginRole: false,
  });
  closeOnSignal = () => services.db.close();
  try {
    return await fn(services);
  } catch (err) {
    // A refusal is the person's to read; anything else goes up as an error.
    if (!(err instanceof DomainError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
    return undefined as T;
  } finally {
    closeOnSignal = null;
    await services.db.close();
  }
}

/**
 * Closes the database of the command running now, when a signal stops it: the embedded engine's
 * folder is otherwise left marked open, and the next command refused.
 */
let closeOnSignal: (() => Promise<void>) | null = null;

/** Who ran the command, for the audit trail and the certificate: the operating-system user. */
function operatorName(given?: string): string {
  return (given ?? userInfo().username).slice(0, 200) || 'operator';
}

function printCertificate(c: DeletionCertificate, sha256: string): void {
  console.log('CERTIFICATE OF DELETION');
  console.log(`  School: ${c.schoolName} (${c.school})`);
  console.log(
    `  Deleted: ${c.deletedAt} by ${c.deletedBy} (requested ${c.requestedAt} by ${c.requestedBy})`,
  );
  console.log(
    `  Basis: ${c.basis === 'confirmed_export' ? `export ${c.export} confirmed opened by the school` : 'override (reason recorded)'}`,
  );
  console.log('  Rows deleted per table:');
  for (const [t, n] of Object.entries(c.rows)) console.log(`    ${t.padEnd(36)} ${n}`);
  console.log(
    `  Files deleted: ${c.files.attachments} attachments, ${c.files.medicalPlans} medical plan documents, ${c.files.subjectAccessPacks} subject-access packs`,
  );
  console.log(
    `  Keys destroyed: ${c.keysDestroyed.map((k) => `${k.purpose} v${k.version}`).join(', ') || 'none'}`,
  );
  console.log(
    `  Search tokens deleted: ${c.searchTokens}; audit entries deleted: ${c.auditEntries}`,
  );
  for (const [col, n] of Object.entries(c.linksCleared))
    console.log(`  Other schools' links cleared: ${col} ${n}`);
  if (c.transfersClosed)
    console.log(
      `  Files other schools sent it and it never accepted, closed with a reason: ${c.transfersClosed}`,
    );
  console.log(`  SHA-256 of the certificate's canonical JSON: ${sha256}`);
}

export function registerSchoolExitCommands(school: Command, config: () => Config): void {
  school
    .command('export')
    .description(
      'Write the whole school (records, versions, attachments, audit chain, MIS data, settings, a chronology PDF per pupil, a manifest of SHA-256s) into a 7-Zip AES-256 archive; prints its password once.',
    )
    .requiredOption('--school <schoolId>', 'the school id')
    .requiredOption('--out <file>', 'the archive to write (must not exist), e.g. school.7z')
    .option('--operator <name>', 'who is running this (default: your user name)')
    .action(async (o: { school: string; out: string; operator?: string }) => {
      // Interrupted (Ctrl-C, or a service manager's SIGTERM), Node would exit at once and leave
      // the plain staging folder behind: it is removed here, with 7-Zip stopped and its partial
      // archive removed, before the process exits (130 for SIGINT, 143 for SIGTERM).
      const staged: string[] = [];
      const out = path.resolve(o.out);
      // exportSchool refuses a file that exists, so one there at a signal is this run's.
      const existedBefore = existsSync(out);
      // The export may still have a write in flight (on libuv's threads) into the staging folder
      // while it is removed, or create a file there before the process exits: removal retries
      // (Node waits out ENOTEMPTY), and is done once more just before the exit.
      const removeLeftovers = (quiet = false): boolean => {
        try {
          for (const dir of staged)
            rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
          rmSync(partialOf(out), { force: true, maxRetries: 10, retryDelay: 50 });
          return true;
        } catch (err) {
          if (!quiet)
            console.error(
              `Could not remove what the interrupted export left (${[...staged, partialOf(out)].join(', ')}): ${(err as Error).message}. Delete it by hand.`,
            );
          return false;
        }
      };
      let interrupted = false;
      const onSignal = (signal: NodeJS.Signals) => {
        interrupted = true;
        stopArchiving();
        const removed = removeLeftovers();
        // Interrupted after 7-Zip renamed the archive into place: it is on disk, and is said to
        // be (not removed: its password may already have been printed).
        const whole = existsSync(out) && !existedBefore;
        console.error(
          whole
            ? `Interrupted (${signal}): the archive ${out} was written; if its password was not shown above, delete it and export again.`
            : removed
              ? `Interrupted (${signal}): nothing was exported, and nothing was left on disk.`
              : `Interrupted (${signal}): nothing was exported.`,
        );
        const exit = () => {
          // Said once above if it failed; this second pass is quiet.
          removeLeftovers(true);
          process.exit(signal === 'SIGINT' ? 130 : 143);
        };
        const close = closeOnSignal?.().catch(() => undefined) ?? Promise.resolve();
        void Promise.race([close, new Promise((r) => setTimeout(r, 5_000))]).finally(exit);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await exportCommand(config, o, staged);
      } catch (err) {
        // Once interrupted, the export's next query fails on the database being closed: that
        // error is the signal's doing, and reaching main's exit(1) it would beat the handler's
        // 130/143. The handler alone ends the process.
        if (interrupted) await new Promise<never>(() => undefined);
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  async function exportCommand(
    config: () => Config,
    o: { school: string; out: string; operator?: string },
    staged: string[],
  ): Promise<void> {
    await withServices(config, async (s) => {
      const r = await exportSchool(s, o.school, o.out, operatorName(o.operator), {
        onStaging: (dir) => staged.push(dir),
      });
      console.log(
        `Wrote ${r.out}: ${r.files} files, ${r.pupils} pupil chronologies, ${r.archiveBytes} bytes.`,
      );
      console.log(`Manifest SHA-256: ${r.manifestSha256}`);
      if (r.unopened > 0)
        console.log(`${r.unopened} sealed values could not be opened (listed in README.txt).`);
      console.log('');
      console.log(
        'PASSWORD (shown once, stored nowhere; give it to the school separately from the file):',
      );
      console.log(`  ${r.password}`);
      console.log('');
      console.log(
        'The school opens the archive with 7-Zip and types back the confirmation code from',
      );
      console.log('README.txt: lantern school confirm-export --school ID --code CODE');
    });
  }

  school
    .command('confirm-export')
    .description(
      'Record that the school opened its export: the code is in README.txt inside the archive.',
    )
    .requiredOption('--school <schoolId>', 'the school id')
    .requiredOption('--code <code>', 'the confirmation code (XXXX-XXXX-XXXX-XXXX)')
    .option('--operator <name>', 'who is running this (default: your user name)')
    .action(async (o: { school: string; code: string; operator?: string }) => {
      await withServices(config, async (s) => {
        const r = await confirmExport(s, o.school, o.code, operatorName(o.operator));
        console.log(`Confirmed: the school opened export ${r.exportId}. It may now be deleted.`);
      });
    });

  school
    .command('delete')
    .description(
      `Schedule the school's deletion (within ${DELETION_WITHIN_DAYS} days; the nightly job carries it out), or delete at once with --now. Refused until the school has confirmed its export.`,
    )
    .requiredOption('--school <schoolId>', 'the school id')
    .option('--now', 'delete at once and print the certificate')
    .option('--in-days <days>', `carry it out after this many days (0–${DELETION_WITHIN_DAYS})`)
    .option('--override <reason>', 'delete without a confirmed export, for this reason')
    .option('--yes-delete-without-confirmed-export', 'confirm the override')
    .option('--operator <name>', 'who is running this (default: your user name)')
    .action(
      async (o: {
        school: string;
        now?: boolean;
        inDays?: string;
        override?: string;
        yesDeleteWithoutConfirmedExport?: boolean;
        operator?: string;
      }) => {
        const inDays = o.inDays === undefined ? undefined : Number(o.inDays);
        await withServices(config, async (s) => {
          const r = await requestDeletion(
            s,
            o.school,
            {
              now: o.now === true,
              ...(inDays !== undefined ? { inDays } : {}),
              ...(o.override !== undefined
                ? {
                    override: {
                      reason: o.override,
                      confirmed: o.yesDeleteWithoutConfirmedExport === true,
                    },
                  }
                : {}),
            },
            operatorName(o.operator),
          );
          if (!r.certificate) {
            console.log(
              `Scheduled: ${r.scheduled.schoolName} (${r.scheduled.school}) will be deleted by ${r.scheduled.dueBy.toISOString()}. See \`lantern school deletions\`.`,
            );
            return;
          }
          const cert = await deletionCertificate(s, o.school);
          printCertificate(r.certificate, cert!.sha256);
        });
      },
    );

  school
    .command('deletions')
    .description(
      'List scheduled and completed school deletions; with --school, print a certificate.',
    )
    .option('--school <schoolId>', "print this deleted school's certificate")
    .action(async (o: { school?: string }) => {
      await withServices(config, async (s) => {
        if (o.school) {
          const c = await deletionCertificate(s, o.school);
          if (!c) {
            console.error('No completed deletion of that school.');
            process.exitCode = 1;
            return;
          }
          printCertificate(c.certificate, c.sha256);
          return;
        }
        const all = await listDeletions(s);
        if (all.length === 0) console.log('No school deletions.');
        for (const d of all) {
          console.log(
            `${d.school}  ${d.schoolName}  ${d.deletedAt ? `deleted ${d.deletedAt.toISOString()}` : `due by ${d.dueBy.toISOString()}`}  (${d.basis}, requested by ${d.requestedBy})`,
          );
        }
      });
    });
}
