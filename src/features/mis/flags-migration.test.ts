// Migration 0022 on a database that already holds vulnerability flags in clear (an install
// upgrading): each flag's kind is sealed under its school's key, bound to the row, the clear kind
// is cleared, and from then on a clear kind is refused by the table itself.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/engine.ts';
import { loadMigrations, migrate } from '../../platform/db/migrate.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { keyringOf, newMasterKey } from '../../platform/crypto/master-key.ts';
import { SchoolKeys } from '../../platform/crypto/school-keys.ts';

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
    pgName = `lantern_flags_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`CREATE DATABASE ${pgName}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${pgName}`;
    db = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 });
  } else {
    dir = await mkdtemp(path.join(tmpdir(), 'lantern-flags-migration-'));
    db = await openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
  }
  await migrate(
    db,
    loadMigrations().filter((m) => m.version < 22),
  );
}, 240_000);

afterAll(async () => {
  await db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (pgName) await adminQuery(`DROP DATABASE ${pgName}`);
});

describe('migration 0022 seals flags held in clear', () => {
  it('seals each kind under its school key, clears the word, and refuses a clear kind after', async () => {
    const ring = keyringOf([newMasterKey()]);
    const keys = new SchoolKeys(() => ring);
    const schoolId = randomUUID();
    const pupilId = randomUUID();
    const flagIds = [randomUUID(), randomUUID()];
    await unsafeAsOwner(db, async (tx) => {
      await tx.query(`INSERT INTO schools (id, name) VALUES ($1, 'Upgrading school')`, [schoolId]);
      await keys.create(tx, schoolId);
      await tx.query(
        `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name) VALUES ($1, $2, 'P1', 'Ada', 'Lovelace')`,
        [pupilId, schoolId],
      );
      await tx.query(
        `INSERT INTO pupil_flags (id, school_id, pupil_id, flag, source, starts_on)
         VALUES ($1, $3, $4, 'cin', 'mis', '2025-02-01'), ($2, $3, $4, 'young_carer', 'lantern', NULL)`,
        [flagIds[0], flagIds[1], schoolId, pupilId],
      );
    });
    await expect(migrate(db)).rejects.toThrow(/needs the master key/);
    expect(await migrate(db, loadMigrations(), { keys: () => keys })).toContain(
      '0022_mis_flags_xporter_pull',
    );
    const rows = await unsafeAsOwner(db, (tx) =>
      tx.query<{ id: string; flag: string | null; kind_sealed: Buffer; starts_on: string | null }>(
        'SELECT id, flag, kind_sealed, starts_on FROM pupil_flags ORDER BY starts_on NULLS LAST',
      ),
    );
    const sealer = await unsafeAsOwner(db, (tx) => keys.forSchool(tx, schoolId));
    expect(rows.map((r) => [r.flag, sealer.open('pupil_flags.kind', r.id, r.kind_sealed)])).toEqual(
      [
        [null, 'cin'],
        [null, 'young_carer'],
      ],
    );
    expect(rows[0]!.starts_on).toBe('2025-02-01');
    // Bound to its row: a kind copied to another row does not open.
    expect(() => sealer.open('pupil_flags.kind', rows[1]!.id, rows[0]!.kind_sealed)).toThrow();
    await expect(
      unsafeAsOwner(db, (tx) =>
        tx.query(
          `INSERT INTO pupil_flags (school_id, pupil_id, flag, source) VALUES ($1, $2, 'cin', 'lantern')`,
          [schoolId, pupilId],
        ),
      ),
    ).rejects.toThrow(/pupil_flags_kind_sealed/);
  });
});
