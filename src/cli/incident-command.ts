// `lantern incident notify` (issue 17): the operator describes an incident once, and Lantern works
// out from every school's audit trail which schools it touched. Without --confirm it records
// nothing and tells nobody: it lists the schools it would tell, with their counts. With --confirm
// it records the incident and opens a draft breach in each affected school's register, alerting
// and emailing the school's data-protection contacts (features/data-protection/incidents/).
// Running it again with the same reference tells only the schools not yet told. Exits 2 with the
// reason when the description or scope is refused, 1 when a school could not be told.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices } from '../platform/services.ts';
import { badRequest, DomainError } from '../core/errors.ts';
import { TRAIL_KINDS } from '../shared/schemas/audit-trail.ts';
import { BREACH_TYPES } from '../shared/schemas/data-protection.ts';
import { runWorkQueueOnce } from '../jobs/work-queue.ts';
import {
  notifyIncident,
  type IncidentOutcome,
} from '../features/data-protection/incidents/notify.ts';
import { ukTime } from '../features/data-protection/incidents/scope.ts';

/** The description's file, or a refusal a person understands (nothing recorded). */
function readDescription(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw badRequest(
      `Cannot read the description file “${path.slice(0, 200)}” (${(err as { code?: string }).code ?? 'unreadable'}): give a file that exists and can be read.`,
      'incident_refused',
    );
  }
}

type Opts = {
  reference: string;
  title?: string;
  description?: string;
  descriptionFile?: string;
  type?: string[];
  started?: string;
  ended?: string;
  aware?: string;
  access?: string[];
  ip?: string[];
  account?: string[];
  process?: string;
  school?: string[];
  by?: string;
  confirm?: boolean;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function report(o: IncidentOutcome, confirm: boolean): string[] {
  const f = o.facts;
  const lines = [
    `Incident ${f.reference}: “${f.title}” (${f.types.join(', ')})` +
      (o.recordedAt
        ? `, recorded ${ukTime(o.recordedAt.toISOString())}${o.recorded ? ' now' : ''}`
        : ''),
    `Scope: ${o.scopeWords}.`,
  ];
  if (o.schools.length === 0) {
    lines.push('No school has an audit entry in this scope: no school is affected.');
    return lines;
  }
  lines.push(`Affected schools (${o.schools.length}), from their audit trails:`);
  for (const s of o.schools) {
    const counts = `${plural(s.entries, 'matching entry', 'matching entries')}, ${plural(s.records, 'record')}, ${plural(s.pupils, 'pupil')}`;
    const state =
      s.status === 'would_tell'
        ? 'to be told'
        : s.status === 'told'
          ? `told now: draft breach opened, ${plural(s.alerted, 'holder')} of the register alerted, ${plural(s.emailed, 'email notice')} to send${s.emailed === 0 ? ' (nobody holds its breach register: contact the school)' : ''}`
          : s.status === 'already_told'
            ? `already told${s.toldAt ? ` on ${ukTime(s.toldAt.toISOString())}` : ''}`
            : 'NOT told (an error; run the command again to retry)';
    lines.push(`  ${s.schoolId}  ${s.name}: ${counts}; ${state}`);
  }
  const waiting = o.schools.filter((s) => s.status === 'would_tell').length;
  if (!confirm)
    lines.push(
      waiting > 0
        ? `Dry run: nothing recorded, nobody told. Run again with --confirm to record the incident and tell ${plural(waiting, 'school')}.`
        : 'Dry run: every affected school has been told.',
    );
  else {
    const told = o.schools.filter((s) => s.status === 'told').length;
    const failed = o.schools.filter((s) => s.status === 'failed').length;
    lines.push(
      `Told ${plural(told, 'school')}${failed ? `; ${failed} not told (run again to retry)` : ''}.`,
    );
  }
  return lines;
}

export function registerIncidentCommands(program: Command, config: () => Config): void {
  const incident = program
    .command('incident')
    .description("An incident at the hosting operator: tell every affected school's DPO.");
  incident
    .command('notify')
    .description(
      'Work out from the audit trails which schools an incident touched (a dry run), then with --confirm record it and open a draft breach in each school, alerting and emailing its data-protection contacts.',
    )
    .requiredOption('--reference <ref>', 'your reference for the incident, e.g. INC-2026-004')
    .option('--title <title>', 'a short title')
    .option('--description <text>', 'what happened, in plain words')
    .option('--description-file <file>', 'read what happened from this file instead')
    .addOption(new Option('--type <type...>', 'what kind of incident').choices([...BREACH_TYPES]))
    .option('--started <time>', 'when it started (ISO time with zone, e.g. 2026-12-01T09:00Z)')
    .option('--ended <time>', 'when it ended (leave out if it has not)')
    .option('--aware <time>', 'when you became aware of it')
    .addOption(
      new Option('--access <kind...>', 'only these kinds of access (default: all)').choices([
        ...TRAIL_KINDS,
      ]),
    )
    .option('--ip <address...>', 'only entries from these addresses or networks (CIDR)')
    .option('--account <email...>', "only entries by these members' accounts (compromised)")
    .option(
      '--process <label>',
      'only entries by this process, as the audit trail names it (e.g. "MIS API key <key id>", "MIS sync")',
    )
    .option('--school <id...>', 'consider only these schools')
    .option(
      '--by <name>',
      'who is recording it, as the schools should see it (e.g. your organisation)',
    )
    .option('--confirm', 'record the incident and tell the schools (otherwise a dry run)')
    .action(async (opts: Opts) => {
      const services = await createServices(config(), {
        log: { info: () => undefined, warn: console.warn, error: console.error },
        ensureLoginRole: false,
      });
      try {
        const description =
          opts.descriptionFile !== undefined
            ? readDescription(opts.descriptionFile)
            : opts.description;
        const outcome = await notifyIncident(
          services,
          {
            reference: opts.reference,
            title: opts.title,
            description,
            types: opts.type,
            started: opts.started,
            ended: opts.ended,
            aware: opts.aware,
            kinds: opts.access,
            addresses: opts.ip,
            accounts: opts.account,
            process: opts.process,
            schools: opts.school,
            by: opts.by,
          },
          { confirm: opts.confirm === true },
        );
        for (const line of report(outcome, opts.confirm === true)) console.log(line);
        if (opts.confirm && outcome.schools.some((s) => s.emailed > 0)) {
          // Send the notices now; any that cannot go wait in the queue for the server's worker.
          await runWorkQueueOnce(services);
          console.log(
            "Email notices sent now where the mail server took them; the server's worker retries any it did not.",
          );
        }
        if (outcome.schools.some((s) => s.status === 'failed')) process.exitCode = 1;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        console.error(`lantern: incident refused, nothing recorded: ${err.message}`);
        process.exitCode = 2;
      } finally {
        await services.db.close();
      }
    });
}
