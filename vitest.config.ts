// One runner for every test. Server tests run on the embedded engine always, and again on
// PostgreSQL when DATABASE_URL is set. Browser journeys drive Debian's Chromium.
import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const databaseUrl = process.env.DATABASE_URL;
// Tests that touch no database (pure rules, parsers, crypto, shared code) run once, on the
// embedded project; those that use a database (the harness, or the engine they are given) run
// again on PostgreSQL.
const touchesDatabase = (file: string) =>
  /test\/harness\.ts|identity-test-kit\.ts|inject\('engine'\)/.test(readFileSync(file, 'utf8'));
const databaseTests = globSync('src/**/*.test.ts').filter(touchesDatabase);
const server = (engine: 'embedded' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `server-${engine}`,
    include: engine === 'embedded' ? ['src/**/*.test.ts'] : databaseTests,
    provide: { engine },
    // Limits against a hang, not speed targets: a test that builds a second app (a fresh
    // database) or spawns the CLI took 32 s and 240 s under a load of 13 on two cores.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Both engines' server files share the two workers; the browser journeys run after them.
    sequence: { groupOrder: 0 },
  },
});

export default defineConfig({
  test: {
    globalSetup: ['src/test/global-setup.ts'],
    provide: { databaseUrl: databaseUrl ?? '' },
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI machine,
    // so every file ran one after another (17.6 min measured). Two workers keep both cores busy,
    // for the server files and then for the browser journeys.
    maxWorkers: 2,
    // Each worker loads the app's modules once and runs file after file in them, instead of a
    // fresh process per file: loading them was a third of a server file's time (13 concern and
    // case files: 33.5 s isolated, 19.7 s not). Every file still builds its own app, database
    // and school, so nothing a test relies on is shared; a file that changes process-wide state
    // (an environment variable) puts it back itself (vi.unstubAllEnvs).
    isolate: false,
    projects: [
      server('embedded'),
      ...(databaseUrl ? [server('postgres')] : []),
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['e2e/**/*.test.ts'],
          provide: { engine: 'embedded' },
          // Limits against a hang, not speed targets: journeys that pass in about 60 s took over
          // 90 s under a load of 15 on two cores.
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // Two journeys at once, one per worker: a journey waits on Chromium, the server and the
          // network as much as it computes, so one at a time left a core idle (33 files at 33–58 s
          // each, one after another, were most of CI's 33 minutes). Each file still has its own server (port 0),
          // database and browser, so nothing is shared between the two.
          fileParallelism: true,
          // With workers kept across files (isolate: false), the browser files run in their own
          // group, after the server files.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
