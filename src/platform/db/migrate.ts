// Applies the numbered plain-SQL migrations in src/platform/db/migrations, each in its own transaction.
// A migration that was applied and then edited is refused: landed migrations never change.
// A migration may name a step written in TypeScript on a line of its own between its SQL parts
// (`-- lantern:step <name>`, from MIGRATION_STEPS), for work SQL cannot do, such as sealing values
// found in clear with the school keys (0011); the step runs in the migration's transaction, after
// the SQL above it and before the SQL below.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database, Queryable } from './engine.ts';
import { MIGRATION_STEPS, type StepDeps } from '../crypto/seal-existing.ts';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
const LOCK_KEY = 7_262_019; // any constant; serialises concurrent migrators on a server
/** Migrations run on the owner's own login, never on a request-time connection (engine.ts). */
const OWNER = { owner: true } as const;

export type Migration = { version: number; name: string; sql: string; checksum: string };

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const STEP_LINE = /^-- lantern:step ([a-z0-9_]+)[ \t]*$/m;

/** Runs a migration's SQL parts and the steps named between them, in order. */
async function apply(tx: Queryable, m: Migration, deps: StepDeps): Promise<void> {
  // split with a capturing group: SQL, step name, SQL, step name, …, SQL.
  const parts = m.sql.split(new RegExp(STEP_LINE.source, 'gm'));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 0) {
      if (part.trim()) await tx.exec(part);
      continue;
    }
    const step = MIGRATION_STEPS[part];
    if (!step) throw new Error(`Migration ${m.name} names an unknown step "${part}"`);
    await step(tx, deps);
  }
}

/**
 * Applies every new migration. `deps.keys` lets a step seal existing records (a database with
 * records to seal refuses to migrate without them); a fresh database needs none.
 */
export async function migrate(
  db: Database,
  migrations = loadMigrations(),
  deps: StepDeps = {},
): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const [row] = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new Error(
            `Migration ${m.name} was changed after it was applied. Landed migrations are never ` +
              'edited; restore the file and add a new numbered migration instead.',
          );
        }
        return false;
      }
      await apply(tx, m, deps);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
      return true;
    }, OWNER);
    if (done) applied.push(m.name);
  }
  return applied;
}
