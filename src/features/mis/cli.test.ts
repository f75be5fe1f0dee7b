// `lantern mis import` through a child process, as an operator runs it.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';

const run = promisify(execFile);
const NODE = 'node_modules/.bin/node';

async function lantern(env: Record<string, string>, args: string[]) {
  try {
    const r = await run(NODE, ['src/cli/main.ts', ...args], { env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lantern mis import', () => {
  it('imports, re-imports with no change, and rejects a bad CSV with a clear reason', async () => {
    // The data folder and, beside it, its key folder (data-keys), both inside one temporary folder.
    const data = join(await mkdtemp(join(tmpdir(), 'lantern-cli-')), 'data');
    const env = {
      LANTERN_DATA_DIR: data,
      LANTERN_DEMO_DATA: 'false',
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
    };
    const created = await lantern(env, ['school', 'create', '--name', 'CLI School']);
    expect(created.code, created.stderr).toBe(0);
    const schoolId = created.stdout.trim().split('\n').pop()!;
    const dir = await mkdtemp(join(tmpdir(), 'lantern-cli-csv-'));
    await writeBatch(
      'csv',
      dir,
      fullBatch(generateSchool({ pupils: 20, staff: 3, groups: 50, days: 1, seed: 5 })),
    );
    const first = await lantern(env, [
      'mis',
      'import',
      '--school',
      schoolId,
      '--format',
      'csv',
      dir,
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').pop()).toMatch(
      /^added \d+, changed 0, archived 0, rejected 0$/,
    );
    const again = await lantern(env, [
      'mis',
      'import',
      '--school',
      schoolId,
      '--format',
      'csv',
      dir,
    ]);
    expect(again.stdout.trim().split('\n').pop()).toBe(
      'added 0, changed 0, archived 0, rejected 0',
    );
    await writeFile(join(dir, 'pupils.csv'), 'Forename,Surname\nAnn,Smith\n');
    const bad = await lantern(env, ['mis', 'import', '--school', schoolId, '--format', 'csv', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/pupils\.csv/);
    expect(bad.stdout.trim().split('\n').pop()).toBe('added 0, changed 0, archived 0, rejected 1');
  }, 120_000);
});
