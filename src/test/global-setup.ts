// Runs once before all tests: builds a migrated embedded database and saves it as a snapshot
// that each test file loads in well under a second, and migrates the PostgreSQL test database
// when there is one, making the login role request-time work connects as there (lantern_web,
// as a server given only the owner's address would; the role is the cluster's, shared by every
// test database on it, so its password is a fixed one: CI and the test server trust local
// logins). A lantern_web that already exists keeps its password (ensureLoginRole sets one only
// when it makes the role): it may be an earlier test run's, which is fine, or a real
// installation's on the same cluster, whose servers must not be locked out. So the tests only
// log in with the fixed password, and stop, saying why, if the cluster refuses it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../platform/db/engine.ts';
import { migrate } from '../platform/db/migrate.ts';
import { checkCanLogIn, ensureLoginRole, loginUrl } from '../platform/db/login-role.ts';

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
    const loginAddress = loginUrl(url, TEST_LOGIN_PASSWORD);
    const asLogin = await openDatabase({ engine: 'postgres', url: loginAddress, ownerUrl: url });
    try {
      await checkCanLogIn(
        asLogin,
        'names a cluster whose role lantern_web already exists with a password other than the ' +
          "tests' and was not made by them: it may be a real installation's, so the tests leave " +
          'it alone. Run the tests on a cluster of their own, or one that trusts local logins.',
      );
    } finally {
      await asLogin.close();
    }
    project.provide('databaseLoginUrl', loginAddress);
  }
}
