// Migration 0086 on a database that already holds concerns about adults (an install upgrading): a
// matter whose outcome was recorded as false before 0086 named the allegation rule, which never
// comes due by itself; 0086 moves it to the malicious rule (KCSIE's removal rule), so the area's
// sweep queues it at its finding. Other outcomes keep the rule they had.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/engine.ts';
import { loadMigrations, migrate } from '../../platform/db/migrate.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';

const engine = inject('engine');
let db: Database;
let dir: string | undefined;
let pgName: string | undefined;

async function adminQuery(sql: string): Promise<void> {
  const admin = await openDatabase({ engine: 'postgres', url: inject('databaseUrl'), poolSize: 1 });
  try {
    await admin.exec(sql);
  } finally {
    await admin.close();
  }
}

beforeAll(async () => {
  if (engine === 'postgres') {
    pgName = `lantern_staffret_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`CREATE DATABASE ${pgName}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${pgName}`;
    db = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 });
  } else {
    dir = await mkdtemp(path.join(tmpdir(), 'lantern-staff-retention-migration-'));
    db = await openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
  }
  await migrate(
    db,
    loadMigrations().filter((m) => m.version < 86),
  );
}, 240_000);

afterAll(async () => {
  await db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (pgName) await adminQuery(`DROP DATABASE ${pgName}`);
});

describe('migration 0086 moves false allegations to the malicious rule', () => {
  it('moves each matter found false from the allegation rule, and leaves the others', async () => {
    const schoolId = randomUUID();
    const headId = randomUUID();
    const matters = {
      false: randomUUID(),
      substantiated: randomUUID(),
      open: randomUUID(),
      malicious: randomUUID(),
    };
    await unsafeAsOwner(db, async (tx) => {
      await tx.query(`INSERT INTO schools (id, name) VALUES ($1, 'Upgrading school')`, [schoolId]);
      await tx.query(
        `INSERT INTO users (id, school_id, email, name, role)
         VALUES ($1, $2, $3, 'Hana Head', 'headteacher')`,
        [headId, schoolId, `head-${headId}@example.org`],
      );
      const rows: [string, string | null, string][] = [
        [matters.false, 'false', 'staff_allegation'],
        [matters.substantiated, 'substantiated', 'staff_allegation'],
        [matters.open, null, 'staff_allegation'],
        [matters.malicious, 'malicious', 'staff_allegation_malicious'],
      ];
      for (const [id, outcome, kind] of rows)
        await tx.query(
          `INSERT INTO staff_concerns (id, school_id, raised_by, raised_at, subject_kind,
             subject_name, what_happened, routed_to, classification, outcome, outcome_by,
             outcome_at, retention_kind)
           VALUES ($1, $2, $3, now(), 'volunteer', '\\x00'::bytea, '\\x00'::bytea, 'headteacher',
             'possibly_meets_threshold', $4::text, CASE WHEN $4::text IS NULL THEN NULL ELSE $3::uuid END,
             CASE WHEN $4::text IS NULL THEN NULL ELSE now() END, $5)`,
          [id, schoolId, headId, outcome, kind],
        );
    });
    expect(await migrate(db)).toContain('0086_staff_concerns_retention');
    const after = await unsafeAsOwner(db, (tx) =>
      tx.query<{ id: string; retention_kind: string }>(
        'SELECT id, retention_kind FROM staff_concerns WHERE school_id = $1',
        [schoolId],
      ),
    );
    expect(Object.fromEntries(after.map((r) => [r.id, r.retention_kind]))).toEqual({
      [matters.false]: 'staff_allegation_malicious',
      [matters.substantiated]: 'staff_allegation',
      [matters.open]: 'staff_allegation',
      [matters.malicious]: 'staff_allegation_malicious',
    });
  });
});
