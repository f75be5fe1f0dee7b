// `lantern school export` interrupted (issue 15, the second reader's should-fix): the plain files
// are staged in a private folder, and a SIGINT (Ctrl-C) or SIGTERM in the middle of the export
// removes it, stops 7-Zip and removes its partial archive before the process exits. Run as a real
// child process on an on-disk embedded data folder of its own, with its own TMPDIR, so "nothing
// left" means nothing at all: the signal is sent as soon as the staging folder appears.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLantern } from '../test/cli-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

let base: string;
let env: Record<string, string>;
let staging: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'lantern-exit-signal-'));
  staging = await mkdtemp(path.join(base, 'tmpdir-'));
  env = {
    LANTERN_DATA_DIR: path.join(base, 'data'),
    NODE_ENV: 'development',
    LANTERN_DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
    TMPDIR: staging,
  };
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Runs the export and sends `signal` once its staging folder exists; answers its exit. */
function interruptedExport(
  schoolId: string,
  out: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; sawStaging: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [MAIN, 'school', 'export', '--school', schoolId, '--out', out], {
      cwd: ROOT,
      env: { PATH: '/usr/bin:/bin', ...env },
    });
    let stderr = '';
    let sawStaging = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const watch = setInterval(() => {
      void readdir(staging).then((names) => {
        if (!sawStaging && names.some((n) => n.startsWith('lantern-export-'))) {
          sawStaging = true;
          child.kill(signal);
        }
      });
    }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(watch);
      resolve({ code, stderr, sawStaging });
    });
  });
}

describe('lantern school export, interrupted', () => {
  it('leaves no staging folder, partial archive or archive after SIGINT or SIGTERM mid-export', async () => {
    const migrated = await runLantern(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const school = await runLantern(['school', 'create', '--name', 'Signal Primary'], env);
    expect(school.code, school.stderr).toBe(0);
    const schoolId = school.stdout.trim().split('\n').pop()!;
    for (const [signal, exit] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const out = path.join(base, `school-${signal}.7z`);
      const r = await interruptedExport(schoolId, out, signal);
      expect(r.sawStaging, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(exit);
      expect(r.stderr).toMatch(/nothing was left on disk/);
      expect(await readdir(staging)).toEqual([]);
      expect(existsSync(out)).toBe(false);
      expect((await readdir(base)).filter((n) => n.includes('.partial-'))).toEqual([]);
    }
  }, 240_000);
});
