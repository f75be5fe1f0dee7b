// Runs once before all tests: builds a migrated embedded database and saves it as a snapshot
// that each test file loads in well under a second, and migrates the PostgreSQL test database
// when there is one, making the login role request-time work connects as there (lantern_web,
// as a server given only the owner's address would; the role is the cluster's, shared by every
// test database on it, so its password is fixed: CI and the test server trust local logins).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../platform/db/engine.ts';
import { migrate } from '../platform/db/migrate.ts';
import { ensureLoginRole, loginUrl } from '../platform/db/login-role.ts';

export const TEST_LOGIN_PASSWORD = 'lantern-test-login-role';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: 'embedded' | 'postgres';
    /** The owner's address (the test server's superuser). */
    databaseUrl: string;
    /** The same database as the request-time login role (lantern_web). */
    databaseLoginUrl: string;
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
    await ensureLoginRole(pg, TEST_LOGIN_PASSWORD);
    await pg.close();
    project.provide('databaseLoginUrl', loginUrl(url, TEST_LOGIN_PASSWORD));
  }
}
