// `npm run bench -- [scenario…] [--engine embedded|postgres|both] [--n N] [--c C] [--quick] [--list]`
// `--quick` runs every scenario at a small size (about a minute, both engines), to see that each
// still runs and roughly where it stands; the figures for a note come from a full run.
// `npm run bench -- plans [--n N] [--keep]` prints the query plans behind the record reads.
// Runs the named scenarios (all by default) and prints their figures with the machine they came
// from. PostgreSQL runs need DATABASE_URL (a server where a throwaway database may be created);
// without it, only the embedded engine is measured and the run says so.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { machine, startBench, type Engine } from './lib.ts';
import { logConcerns } from './scenarios/log-concerns.ts';
import { chronology } from './scenarios/chronology.ts';
import { search } from './scenarios/search.ts';
import { misImportOn } from './scenarios/mis-import.ts';
import { plans } from './scenarios/plans.ts';
import { memberLists } from './scenarios/member-lists.ts';
import { twoProcesses } from './scenarios/processes.ts';
import { backupBench } from './scenarios/backup.ts';
import { retention } from './scenarios/retention.ts';
import { reportsBench } from './scenarios/reports.ts';
import { unusualAccessBench } from './scenarios/unusual-access.ts';
import { trustBench } from './scenarios/trust.ts';
import { schoolExport } from './scenarios/school-export.ts';
import { seeding } from './scenarios/seeding.ts';

type Flags = { n?: number; c?: number; keep: boolean; quick: boolean };
/** A full run's size, or the quick run's (about a minute in all, both engines). */
const size = (f: Flags, full: number, quick: number) => f.n ?? (f.quick ? quick : full);
type Scenario = {
  about: string;
  /** Left out of a run that names no scenarios (diagnostics rather than figures). */
  onlyByName?: true;
  /** Left out of a --quick run (its size is fixed and takes minutes). */
  notQuick?: true;
  run: (engine: Engine, f: Flags) => Promise<string[]>;
};

const SCENARIOS: Record<string, Scenario> = {
  'log-concerns': {
    about: 'log N concerns (default 2000) over HTTP with C clients (default 10), vs raw inserts',
    run: (e, f) => logConcerns(e, { n: size(f, 2000, 200), c: f.c ?? 10, alert: 0 }),
  },
  'log-concerns-alerting': {
    about: 'the same, each concern alerting 5 staff, C clients (default 20)',
    run: (e, f) => logConcerns(e, { n: size(f, 2000, 200), c: f.c ?? 20, alert: 5 }),
  },
  'member-lists': {
    about:
      "a class teacher's, a head of year's and a pastoral lead's concern list and dashboard over N concerns (default 10000) in 1,000 pupils; a DSL's dashboard with 5,000 open actions and 500 open cases",
    run: (e, f) =>
      memberLists(e, {
        n: size(f, 10_000, 1_000),
        runs: f.quick ? 3 : 15,
        actions: f.quick ? 200 : 5_000,
        cases: f.quick ? 20 : 500,
      }),
  },
  'member-plans': {
    about:
      "EXPLAIN ANALYZE of the C slowest reads (default 2) behind each member's list and dashboard in member-lists, over N concerns (default 10000); only run when named",
    onlyByName: true,
    run: (e, f) =>
      memberLists(e, { n: f.n ?? 10_000, runs: 1, actions: 500, cases: 50, explain: f.c ?? 2 }),
  },
  chronology: {
    about: 'a pupil with N chronology entries (default 2000): the API and the PDF export',
    run: (e, f) => chronology(e, { entries: size(f, 2000, 300), runs: f.quick ? 5 : 20 }),
  },
  search: {
    about: 'search over N concerns in one school (default 200000), a few words, by an elevated DSL',
    run: (e, f) => search(e, { n: size(f, 200_000, 3_000), runs: f.quick ? 3 : 20 }),
  },
  'mis-import': {
    about: 'MIS: first full import of 2,000 pupils and 240k marks, re-import, delta of 50',
    notQuick: true,
    run: async (e) => {
      const b = await startBench(e);
      try {
        return (await misImportOn(b.services.db, e)).map(
          (f) =>
            `${f.step.padEnd(38)} ${String(f.ms).padStart(7)} ms  heap ≤ ${f.peakHeapMb} MB  rss ≤ ${f.peakRssMb} MB  | ${f.line}`,
        );
      } finally {
        await b.close();
      }
    },
  },
  processes: {
    about:
      'N concerns (default 2000) logged by C teachers (default 20) through one real Lantern process, then through two on the same PostgreSQL (PostgreSQL only; only when named)',
    onlyByName: true,
    run: async (e, f) =>
      e === 'postgres' ? twoProcesses({ n: size(f, 2000, 200), c: f.c ?? 20 }) : [],
  },
  backup: {
    about:
      'backup and restore of a school of 2,000 pupils and N concerns (default 200000): embedded files, and pgBackRest through the restore drill on PostgreSQL (needs root and Debian pgbackrest; makes its own cluster)',
    onlyByName: true,
    run: (e, f) => backupBench(e, { n: size(f, 200_000, 2_000) }),
  },
  retention: {
    about:
      'the nightly retention sweep over N concerns (default 200000) in 1,000 pupils, logging concerns while it runs, and destroying a batch of C approved records (default 1000)',
    run: (e, f) =>
      retention(e, { n: size(f, 200_000, 3_000), batch: f.c ?? (f.quick ? 100 : 1_000) }),
  },
  'school-export': {
    about:
      "a school's exit: `lantern school export` of 2,000 pupils, N concerns (default 50000) and C MB of attachments in 1 MB files (default 500); time, archive size, peak RSS",
    run: (e, f) =>
      schoolExport(e, { n: size(f, 50_000, 2_000), megabytes: f.c ?? (f.quick ? 20 : 500) }),
  },
  reports: {
    about:
      "the reports page, its CSV and the DSL's rising pupils for a school of 2,000 pupils and N concerns (default 200000), beside records by category by raw SQL",
    run: (e, f) => reportsBench(e, { n: size(f, 200_000, 3_000), runs: f.quick ? 3 : 15 }),
  },
  'unusual-access': {
    about:
      'logging N concerns (default 1000 a phase) with C teachers (default 10), the unusual-access scan off and on in turn (on: back to back, every rule on), and the difference',
    run: (e, f) => unusualAccessBench(e, { n: size(f, 1000, 150), c: f.c ?? 10 }),
  },
  trust: {
    about:
      "a trust's view across C schools (default 10) of 2,000 pupils and N concerns each (default 20000): each school's snapshot computed in its own tenant, then the trust overview (snapshot read)",
    run: (e, f) =>
      trustBench(e, { schools: f.c ?? 10, n: size(f, 20_000, 500), runs: f.quick ? 3 : 20 }),
  },
  seeding: {
    about:
      'seeding a school of 2,000 pupils and N records (default 200000) as the API writes them (pupils, categories, rollup, audit entries), ms a record by tenth of the load',
    onlyByName: true,
    run: (e, f) => seeding(e, { n: size(f, 200_000, 5_000), plans: false }),
  },
  'report-plans': {
    about:
      "EXPLAIN ANALYZE of the rollup triggers' and the reports' reads after seeding N records (default 200000); only run when named",
    onlyByName: true,
    run: (e, f) => seeding(e, { n: size(f, 200_000, 5_000), plans: true }),
  },
  plans: {
    about:
      'EXPLAIN ANALYZE of the C slowest statements (default 2) behind chronology, search and dashboard over N concerns (default 50000); only run when named; --keep leaves the PostgreSQL database',
    onlyByName: true,
    run: (e, f) => plans(e, { n: f.n ?? 50_000, top: f.c ?? 2, keep: f.keep }),
  },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    engine: { type: 'string', default: 'both' },
    n: { type: 'string' },
    c: { type: 'string' },
    list: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const [name, s] of Object.entries(SCENARIOS)) console.log(`${name.padEnd(22)} ${s.about}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !SCENARIOS[p]);
if (unknown.length > 0) {
  console.error(
    `Unknown scenario ${unknown.join(', ')}. Known: ${Object.keys(SCENARIOS).join(', ')}`,
  );
  process.exit(2);
}
const number = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number above 0.`);
    process.exit(2);
  }
  return n;
};
const flags: Flags = {
  n: number(values.n, 'n'),
  c: number(values.c, 'c'),
  keep: values.keep,
  quick: values.quick,
};
const hasPostgres = Boolean(loadConfig().databaseUrl);
const wanted: Engine[] =
  values.engine === 'embedded'
    ? ['embedded']
    : values.engine === 'postgres'
      ? ['postgres']
      : ['embedded', 'postgres'];
const engines = wanted.filter((e) => e === 'embedded' || hasPostgres);

console.log(`Lantern benchmarks on ${machine()}`);
if (engines.length < wanted.length)
  console.log('PostgreSQL skipped: set DATABASE_URL to measure it.');
const chosen =
  positionals.length > 0
    ? positionals
    : Object.keys(SCENARIOS).filter(
        (name) => !SCENARIOS[name]!.onlyByName && !(flags.quick && SCENARIOS[name]!.notQuick),
      );
for (const name of chosen) {
  const s = SCENARIOS[name]!;
  console.log(`\n## ${name} — ${s.about}`);
  for (const engine of engines) {
    for (const line of await s.run(engine, flags)) console.log(line);
  }
}
