// `lantern search reindex [--school ID]`: brings the search index of every school (or one) up to
// the current version at once, rather than waiting for the server's background re-index (which
// does the same a minute at a time). Prints, per school, the records re-indexed and the rate.
// On the embedded engine run it while the server is stopped (the server does it by itself).
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices } from '../platform/services.ts';
import { asSystem, SYSTEM_REASONS, unsafeAsOperator } from '../core/context.ts';
import { INDEX_VERSION } from '../features/search/blind-index.ts';
import {
  awaitingReindex,
  mayHaveMore,
  reindexBatch,
  type Reindexed,
} from '../features/search/reindex.ts';

export function registerSearchCommands(program: Command, config: () => Config): void {
  const search = program.command('search').description('The search index of record text.');
  search
    .command('reindex')
    .description(`Re-index every record below index version ${INDEX_VERSION} now.`)
    .option('--school <id>', 'only this school')
    .action(async (opts: { school?: string }) => {
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const ids = (
          await unsafeAsOperator(services, SYSTEM_REASONS.operator, (t) =>
            t.q<{ id: string }>(
              opts.school
                ? 'SELECT id FROM schools WHERE id::text = $1'
                : 'SELECT id FROM schools ORDER BY id',
              opts.school ? [opts.school] : [],
            ),
          )
        ).map((r) => r.id);
        if (opts.school && ids.length === 0) {
          console.error(`lantern: there is no school with the id "${opts.school}"; nothing done`);
          process.exitCode = 2;
          return;
        }
        let all = 0;
        let waiting = 0;
        for (const id of ids) {
          const started = performance.now();
          const sum = { concerns: 0, actions: 0, conversations: 0 };
          let r: Reindexed;
          do {
            r = await asSystem(services, id, 'operator').tx((t) => reindexBatch(t));
            sum.concerns += r.concerns;
            sum.actions += r.actions;
            sum.conversations += r.conversations;
            for (const u of r.unreadable)
              console.error(
                `lantern: ${u.kind} ${u.id} could not be opened with the school's keys; it is left with no search tokens`,
              );
          } while (mayHaveMore(r));
          const n = sum.concerns + sum.actions + sum.conversations;
          const seconds = (performance.now() - started) / 1000;
          all += n;
          console.log(
            `school ${id}: ${sum.concerns} concerns, ${sum.actions} actions, ${sum.conversations} conversations re-indexed in ${seconds.toFixed(1)} s${n > 0 ? ` (${Math.round(n / seconds)} a second)` : ''}`,
          );
          // Records being edited at that moment were skipped (the edit indexes them itself).
          const left = await asSystem(services, id, 'operator').tx((t) => awaitingReindex(t));
          if (left > 0) {
            waiting += left;
            console.log(`school ${id}: ${left} records still waiting (in use): run this again`);
          }
        }
        console.log(
          waiting > 0
            ? `${all} records re-indexed; ${waiting} still waiting`
            : `${all} records re-indexed; the index is at version ${INDEX_VERSION}`,
        );
        if (waiting > 0) process.exitCode = 3;
      } finally {
        await services.db.close();
      }
    });
}
