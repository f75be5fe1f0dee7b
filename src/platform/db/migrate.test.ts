import { mkdtempSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './engine.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { testDatabase } from '../../test/harness.ts';

let db: Database;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => db.close());

describe('migrations', () => {
  it('are numbered, applied once, and a re-run applies nothing', async () => {
    const all = loadMigrations();
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    expect(all[0]!.name).toBe('0001_foundation');
    expect(await migrate(db)).toEqual([]);
  });

  it('refuse to run when a landed migration was edited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-mig-'));
    for (const f of readdirSync(path.join(import.meta.dirname, 'migrations'))) {
      copyFileSync(path.join(import.meta.dirname, 'migrations', f), path.join(dir, f));
    }
    writeFileSync(path.join(dir, '0001_foundation.sql'), '-- edited\nSELECT 1;');
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(
      /0001_foundation was changed after it was applied/,
    );
  });
});
