// Crash safety on both engines (issue 16), in short form: a real Lantern process, 20 clients
// logging concerns, SIGKILL after 60 acknowledgements, a restart on the same database or data
// folder; every acknowledged concern is there and the audit chains verify. The full drill (1,000
// concerns) is scripts/ops/crash-drill.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../platform/services.ts';
import { silentLog, testConfig, testDatabase } from './harness.ts';
import { crashDrill, type DrillTarget } from './crash-drill.ts';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function target(): Promise<DrillTarget> {
  const config = testConfig();
  const masterKey = config.masterKey!;
  if (inject('engine') === 'postgres') {
    return {
      env: {
        DATABASE_URL: inject('databaseLoginUrl'),
        DATABASE_OWNER_URL: inject('databaseUrl'),
        LANTERN_MASTER_KEY: masterKey,
      },
      open: async () => {
        const s = await createServices(config, { db: await testDatabase(), log: silentLog });
        return { db: s.db, keys: s.keys, close: () => s.db.close() };
      },
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-crash-'));
  made.push(dataDir);
  const embedded = { ...config, dataDir, masterKey };
  return {
    env: { LANTERN_DATA_DIR: dataDir, LANTERN_MASTER_KEY: masterKey },
    open: async () => {
      const s = await createServices(embedded, { log: silentLog });
      return { db: s.db, keys: s.keys, close: () => s.db.close() };
    },
  };
}

describe('a Lantern process killed mid-write', () => {
  it('keeps every acknowledged concern and an intact audit trail', async () => {
    const result = await crashDrill(await target(), { clients: 20, total: 400, killAfter: 60 });
    expect(result.acknowledged).toBeGreaterThanOrEqual(60);
    expect(result.missing).toEqual([]);
    // The school's chain, and the platform's (there once anyone has failed to sign in).
    for (const chain of result.audit) expect(chain.breaks).toEqual([]);
    expect(result.audit[0]!.chains).toBe(1);
    expect(result.audit[0]!.entries).toBeGreaterThanOrEqual(result.acknowledged);
  }, 240_000);
});
