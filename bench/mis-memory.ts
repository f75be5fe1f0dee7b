// Does memory grow with the size of an MIS feed? Imports one generated school of N pupils (Wonde
// files on disk; 60 days of attendance; staff and groups fixed) in a fresh process and prints the
// files' size beside the growth of the JS heap and of the process's resident memory during the
// import. Run it for two sizes and compare:
//   node bench/mis-memory.ts 1000 && node bench/mis-memory.ts 4000
// On PostgreSQL (DATABASE_URL set: a throwaway database is created and dropped) the database is
// out of process, so resident memory is Lantern's alone; on the embedded engine it includes the
// in-process database's own pages.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullBatch, generateSchool, writeBatch } from '../src/features/mis/fixtures/generate.ts';
import { readMisFolder } from '../src/features/mis/formats/index.ts';
import { runSync, summaryLine } from '../src/features/mis/sync.ts';
import { asSystem } from '../src/core/context.ts';
import { loadConfig } from '../src/config.ts';
import { benchSchool, machine, startBench } from './lib.ts';

const pupils = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(pupils) || pupils < 10) {
  console.error('Usage: node bench/mis-memory.ts <pupils, at least 10>');
  process.exit(2);
}
const engine = loadConfig().databaseUrl ? 'postgres' : 'embedded';
const dir = await mkdtemp(join(tmpdir(), 'lantern-mis-memory-'));
await writeBatch(
  'wonde',
  dir,
  fullBatch(generateSchool({ pupils, staff: 150, groups: 300, days: 60, seed: 1 })),
);
let bytes = 0;
for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size;
const b = await startBench(engine);
try {
  const schoolId = await benchSchool(b);
  const before = process.memoryUsage();
  let heap = before.heapUsed;
  let rss = before.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 10);
  const asMis = asSystem(b.services, schoolId, 'mis_sync');
  const t0 = performance.now();
  const run = await runSync(asMis, () => readMisFolder('wonde', dir), {
    source: 'cli',
    format: 'wonde',
  });
  clearInterval(timer);
  const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
  console.log(
    `${machine()} | ${engine} | ${pupils} pupils, files ${mb(bytes)} | ${Math.round(performance.now() - t0)} ms | ` +
      `heap +${mb(heap - before.heapUsed)} (peak ${mb(heap)}) | rss +${mb(rss - before.rss)} (peak ${mb(rss)}) | ${summaryLine(run)}`,
  );
} finally {
  await b.close();
  await rm(dir, { recursive: true, force: true });
}
