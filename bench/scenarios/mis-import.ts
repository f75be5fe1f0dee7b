// Benchmark: the MIS sync engine on a realistic school — 2,000 pupils, ~4,000 contacts, 150 staff,
// 300 groups and one term of attendance (~240,000 session marks) from Wonde-style files — first
// full import, a re-import of the same snapshot (changes nothing), a delta of 50 changes, and
// (issue 13) a changeset of 50 as Xporter sends it, whose kind the reader decides from the feed.
// Prints wall time and peak memory. Embedded always; PostgreSQL too when DATABASE_URL is set.
//   node bench/scenarios/mis-import.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/platform/db/engine.ts';
import { createServices } from '../../src/platform/services.ts';
import { createSchool } from '../../src/features/administration/create-school.ts';
import {
  fullBatch,
  generateSchool,
  makeDelta,
  writeBatch,
} from '../../src/features/mis/fixtures/generate.ts';
import { readMisFolder } from '../../src/features/mis/formats/index.ts';
import { runSync, summaryLine } from '../../src/features/mis/sync.ts';
import { asSystem } from '../../src/core/context.ts';
import { randomBytes } from 'node:crypto';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Figure = { step: string; ms: number; peakHeapMb: number; peakRssMb: number; line: string };

async function measure(step: string, fn: () => Promise<string>): Promise<Figure> {
  let peakHeap = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const t0 = performance.now();
  const line = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  return {
    step,
    ms: Math.round(ms),
    peakHeapMb: Math.round(peakHeap / 1048576),
    peakRssMb: Math.round(peakRss / 1048576),
    line,
  };
}

export async function misImportOn(db: Database, label: string): Promise<Figure[]> {
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LANTERN_DATA_DIR: tmpdir() }),
    masterKey: randomBytes(32).toString('base64'),
  };
  const services = await createServices(config, { db, log: quiet });
  const schoolId = await createSchool(services, { name: `Bench ${label} ${Date.now()}` }, 'bench');
  const school = generateSchool({ pupils: 2000, staff: 150, groups: 300, days: 60, seed: 1 });
  const full = await mkdtemp(join(tmpdir(), 'lantern-bench-full-'));
  const deltaDir = await mkdtemp(join(tmpdir(), 'lantern-bench-delta-'));
  const changesetDir = await mkdtemp(join(tmpdir(), 'lantern-bench-changeset-'));
  await writeBatch('wonde', full, fullBatch(school));
  const delta = makeDelta(school, 50, 2);
  await writeBatch('wonde', deltaDir, delta.batch);
  // A night of 50 changes to the same pupils as the delta (other values), sent as an Xporter
  // changeset with no kind given: the reader decides it from the feed. (A second delta made from
  // the delta's own result would reuse the new pupils' ids.)
  await writeBatch('xporter', changesetDir, makeDelta(school, 50, 3).batch);
  const asMis = asSystem(services, schoolId, 'mis_sync');
  const apply =
    (dir: string, kind: 'full' | 'delta' | undefined, format: 'wonde' | 'xporter' = 'wonde') =>
    async () =>
      summaryLine(
        await runSync(asMis, () => readMisFolder(format, dir, { kind }), {
          source: 'cli',
          format,
        }),
      );
  const out = [
    await measure(`${label}: first full import`, apply(full, 'full')),
    await measure(`${label}: re-import, same snapshot`, apply(full, 'full')),
    await measure(`${label}: delta of 50`, apply(deltaDir, 'delta')),
    await measure(`${label}: changeset of 50 (Xporter)`, apply(changesetDir, undefined, 'xporter')),
  ];
  await rm(changesetDir, { recursive: true, force: true });
  await rm(full, { recursive: true, force: true });
  await rm(deltaDir, { recursive: true, force: true });
  return out;
}

export async function misImportBenchmark(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const embedded = await openDatabase({ engine: 'embedded' });
  try {
    figures.push(...(await misImportOn(embedded, 'embedded')));
  } finally {
    await embedded.close();
  }
  const url = loadConfig().databaseUrl;
  if (url) {
    const pg = await openDatabase({ engine: 'postgres', url });
    try {
      figures.push(...(await misImportOn(pg, 'postgres')));
    } finally {
      await pg.close();
    }
  }
  return figures;
}

export const misImportScenario = { name: 'mis-import', run: misImportBenchmark };

if (import.meta.filename === process.argv[1]) {
  const figures = await misImportBenchmark();
  for (const f of figures) {
    console.log(
      `${f.step.padEnd(38)} ${String(f.ms).padStart(7)} ms  heap ≤ ${f.peakHeapMb} MB  rss ≤ ${f.peakRssMb} MB  | ${f.line}`,
    );
  }
  console.log(`process maxRSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}
