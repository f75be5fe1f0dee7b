// `lantern mis import --school <id> --format wonde|xporter|csv <path>`: reads a folder of feed
// files and applies it through the one sync engine. Ends with exactly one summary line; exits
// non-zero, with the reason on stderr, when the run is rejected (nothing is then applied).
import { Option, type Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices } from '../platform/services.ts';
import { asSystem } from '../core/context.ts';
import { readMisFolder } from '../features/mis/formats/index.ts';
import { runSync, SyncRejected, summaryLine } from '../features/mis/sync.ts';
import { loadMisSettings } from '../features/mis/settings.ts';
import type { MisFormat, SnapshotKind } from '../features/mis/snapshot.ts';

type Opts = { school: string; format: MisFormat; kind?: SnapshotKind };

export function registerMisCommands(program: Command, config: () => Config): void {
  const mis = program.command('mis').description('Work with MIS data.');
  mis
    .command('import')
    .description('Import a folder of MIS feed files (one file per endpoint) for one school.')
    .requiredOption('--school <id>', 'the school id')
    .addOption(
      new Option('--format <format>', 'the feed format')
        .choices(['wonde', 'xporter', 'csv'])
        .makeOptionMandatory(),
    )
    .addOption(
      // No default: the feed says what it is (an Xporter changeset, Wonde pages fetched with
      // updated_after); a kind given here is checked against it, and a contradiction refused.
      new Option(
        '--kind <kind>',
        'what the operator expects: a full snapshot or a delta (checked against the feed)',
      ).choices(['full', 'delta']),
    )
    .argument('<path>', 'the folder holding the files')
    .action(async (folder: string, opts: Opts) => {
      // Logs in with Lantern's own login role, never makes or changes it (only `migrate` does).
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const result = await runSync(
          asSystem(services, opts.school, 'mis_sync'),
          async (t) =>
            readMisFolder(opts.format, folder, {
              kind: opts.kind,
              csv: { synonyms: (await loadMisSettings(t)).csvSynonyms },
            }),
          { source: 'cli', format: opts.format },
        );
        if (result.status === 'held') {
          console.error(`lantern: import held, nothing applied: ${result.error ?? ''}`);
          console.error('An administrator can apply or discard it on the MIS page.');
          console.log(`held ${result.runId}`);
          process.exitCode = 3;
          return;
        }
        for (const c of result.conflicts) {
          console.log(`conflict: pupil ${c.pupilId} ${c.field} (${c.kind})`);
        }
        const { encoding } = result.details;
        if (typeof encoding === 'string') console.log(`read as ${encoding}`);
        console.log(summaryLine(result));
      } catch (err) {
        if (!(err instanceof SyncRejected)) throw err;
        console.error(`lantern: import rejected, nothing applied: ${err.message}`);
        console.log(summaryLine(err.result));
        process.exitCode = 2;
      } finally {
        await services.db.close();
      }
    });
}
