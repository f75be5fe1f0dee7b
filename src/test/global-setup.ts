// Runs once before all tests: builds a migrated embedded database and saves it as a snapshot
// that each test file loads in well under a second, and migrates the PostgreSQL test database
// when there is one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../platform/db/engine.ts';
import { migrate } from '../platform/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: 'embedded' | 'postgres';
    databaseUrl: string;
    snapshotPath: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const db = await openDatabase({ engine: 'embedded' });
  await migrate(db);
  if (!('dump' in db)) throw new Error('embedded database cannot dump');
  const blob = await (db as unknown as { dump(): Promise<Blob> }).dump();
  const dir = mkdtempSync(path.join(tmpdir(), 'lantern-test-'));
  const file = path.join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await db.close();
  project.provide('snapshotPath', file);
  const url = project.config.provide?.databaseUrl;
  if (url) {
    const pg = await openDatabase({ engine: 'postgres', url });
    await migrate(pg);
    await pg.close();
  }
}
