// Migration 0011 on a database that already holds MIS data in clear (an install upgrading): every
// special-category and contact value is sealed under its school's key, bound to its column and
// row, and opens again; the MIS record hashes are re-keyed so the next identical sync still
// changes nothing; and the clear words are gone from the table files (the columns change type by
// rewriting their tables). Without the master key, such a database refuses to migrate.
// Runs on a fresh database of each engine: embedded on disk, and a new PostgreSQL database.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../db/engine.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { keyringOf, newMasterKey } from './master-key.ts';
import { SchoolKeys } from './school-keys.ts';
import { recordHash } from '../../features/mis/sync/state.ts';

const run = promisify(execFile);
const engine = inject('engine');
const before = loadMigrations().filter((m) => m.version < 11);
const all = loadMigrations();

let db: Database;
let dir: string | undefined;
let pgName: string | undefined;
let pgUrl: string | undefined;

async function adminQuery(sql: string): Promise<void> {
  const admin = await openDatabase({ engine: 'postgres', url: inject('databaseUrl'), poolSize: 1 });
  try {
    await admin.exec(sql);
  } finally {
    await admin.close();
  }
}

async function freshDatabase(): Promise<Database> {
  if (engine === 'postgres') {
    pgName = `lantern_seal_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`CREATE DATABASE ${pgName}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${pgName}`;
    pgUrl = url.toString();
    return openDatabase({ engine: 'postgres', url: pgUrl, poolSize: 2 });
  }
  dir = await mkdtemp(path.join(tmpdir(), 'lantern-seal-existing-'));
  return openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
}

beforeAll(async () => {
  db = await freshDatabase();
  await migrate(db, before);
});

afterAll(async () => {
  await db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (pgName) await adminQuery(`DROP DATABASE ${pgName}`);
});

async function filesUnder(d: string): Promise<string[]> {
  const entries = await readdir(d, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('migration 0011 seals MIS data already held in clear', () => {
  it('seals every value under its school key, re-keys the hashes, and leaves no clear word in the tables', async () => {
    const ring = keyringOf([newMasterKey()]);
    const keys = new SchoolKeys(() => ring);
    const m = (what: string) => `M${what}${randomBytes(6).toString('hex')}`;
    const mark = {
      religion_code: m('relcode'),
      religion: m('religion'),
      ethnicity_code: m('ethcode'),
      ethnicity: m('ethnicity'),
      first_language_code: m('langcode'),
      first_language: m('language'),
      sen_status: m('senstatus'),
      address: m('address'),
      photo: m('photo'),
      needCode: m('needcode'),
      needText: m('needtext'),
      provCode: m('provcode'),
      provText: m('provtext'),
      phone: m('phone'),
      email: m('email'),
      contactAddress: m('contactaddress'),
    };
    const control = m('control'); // left in clear (a surname), so the search below finds something
    const schoolId = randomUUID();
    const pupilId = randomUUID();
    const plainPupilId = randomUUID();
    const contactId = randomUUID();
    const oldHash = recordHash({ any: 'record' });
    await unsafeAsOwner(db, async (tx) => {
      await tx.query(`INSERT INTO schools (id, name) VALUES ($1, 'Upgrading school')`, [schoolId]);
      await keys.create(tx, schoolId);
      await tx.query(
        `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name, religion_code, religion,
           ethnicity_code, ethnicity, first_language_code, first_language, sen_status, address,
           photo, mis_hash)
         VALUES ($1, $2, 'P1', 'Ada', $13, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          pupilId,
          schoolId,
          mark.religion_code,
          mark.religion,
          mark.ethnicity_code,
          mark.ethnicity,
          mark.first_language_code,
          mark.first_language,
          mark.sen_status,
          JSON.stringify({ line1: mark.address }),
          JSON.stringify({ kind: 'url', url: `https://x.invalid/${mark.photo}` }),
          oldHash,
          control,
        ],
      );
      // A pupil with none of the fields still has its hash re-keyed.
      await tx.query(
        `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name, mis_hash)
         VALUES ($1, $2, 'P2', 'Bo', 'Plain', $3)`,
        [plainPupilId, schoolId, oldHash],
      );
      await tx.query(
        `INSERT INTO pupil_sen_needs (school_id, pupil_id, code, description) VALUES ($1, $2, $3, $4)`,
        [schoolId, pupilId, mark.needCode, mark.needText],
      );
      await tx.query(
        `INSERT INTO pupil_sen_provisions (school_id, pupil_id, code, description)
         VALUES ($1, $2, $3, $4)`,
        [schoolId, pupilId, mark.provCode, mark.provText],
      );
      await tx.query(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, phones, emails, addresses, mis_hash)
         VALUES ($1, $2, 'C1', 'Con', 'Tact', $3, $4, $5, $6)`,
        [
          contactId,
          schoolId,
          JSON.stringify([{ kind: 'mobile', number: mark.phone }]),
          JSON.stringify([{ kind: 'home', address: `${mark.email}@x.invalid` }]),
          JSON.stringify([{ line1: mark.contactAddress }]),
          oldHash,
        ],
      );
    });

    // Without the keys, a database holding records refuses, and nothing changes.
    await expect(migrate(db, all)).rejects.toThrow(/needs the master key/);
    const [still] = await db.query<{ religion: unknown }>(
      'SELECT religion FROM pupils WHERE id = $1',
      [pupilId],
    );
    expect(still!.religion).toBe(mark.religion);

    expect(await migrate(db, all, { keys: () => keys })).toContain('0011_seal_mis_fields');

    const sealer = await unsafeAsOwner(db, (tx) => keys.forSchool(tx, schoolId));
    const [p] = await db.query<Record<string, Buffer | string>>(
      'SELECT * FROM pupils WHERE id = $1',
      [pupilId],
    );
    for (const f of [
      'religion_code',
      'religion',
      'ethnicity_code',
      'ethnicity',
      'first_language_code',
      'first_language',
      'sen_status',
    ] as const) {
      const v = p![f] as Buffer;
      expect(Buffer.isBuffer(v), f).toBe(true);
      expect(v[0], f).toBe(0x01);
      expect(sealer.open(`pupils.${f}`, pupilId, v)).toBe(mark[f]);
    }
    expect(sealer.openJson('pupils.address', pupilId, p!.address as Buffer)).toEqual({
      line1: mark.address,
    });
    expect(sealer.openJson('pupils.photo', pupilId, p!.photo as Buffer)).toMatchObject({
      url: `https://x.invalid/${mark.photo}`,
    });
    // Bound to its row: the same ciphertext does not open as another pupil's.
    expect(() => sealer.open('pupils.religion', plainPupilId, p!.religion as Buffer)).toThrow();
    expect(p!.mis_hash).toBe(sealer.digest('mis-record', oldHash));
    const [plain] = await db.query<{ mis_hash: string; religion: unknown }>(
      'SELECT mis_hash, religion FROM pupils WHERE id = $1',
      [plainPupilId],
    );
    expect(plain).toEqual({ mis_hash: sealer.digest('mis-record', oldHash), religion: null });

    const [need] = await db.query<{ id: string; code: Buffer; description: Buffer }>(
      'SELECT id, code, description FROM pupil_sen_needs WHERE pupil_id = $1',
      [pupilId],
    );
    expect(sealer.open('pupil_sen_needs.code', need!.id, need!.code)).toBe(mark.needCode);
    expect(sealer.open('pupil_sen_needs.description', need!.id, need!.description)).toBe(
      mark.needText,
    );
    const [prov] = await db.query<{ id: string; code: Buffer; description: Buffer }>(
      'SELECT id, code, description FROM pupil_sen_provisions WHERE pupil_id = $1',
      [pupilId],
    );
    expect(sealer.open('pupil_sen_provisions.code', prov!.id, prov!.code)).toBe(mark.provCode);
    expect(sealer.open('pupil_sen_provisions.description', prov!.id, prov!.description)).toBe(
      mark.provText,
    );
    const [c] = await db.query<{
      phones: Buffer;
      emails: Buffer;
      addresses: Buffer;
      mis_hash: string;
    }>('SELECT phones, emails, addresses, mis_hash FROM contacts WHERE id = $1', [contactId]);
    expect(sealer.openJson('contacts.phones', contactId, c!.phones)).toEqual([
      { kind: 'mobile', number: mark.phone },
    ]);
    expect(sealer.openJson('contacts.emails', contactId, c!.emails)).toEqual([
      { kind: 'home', address: `${mark.email}@x.invalid` },
    ]);
    expect(sealer.openJson('contacts.addresses', contactId, c!.addresses)).toEqual([
      { line1: mark.contactAddress },
    ]);
    expect(c!.mis_hash).toBe(sealer.digest('mis-record', oldHash));
    // No holding column is left behind.
    const leftovers = await db.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE column_name LIKE '%\\_sealing'`,
    );
    expect(leftovers).toEqual([]);

    // The clear words are not in the tables' files (the change of type rewrote them). The
    // write-ahead log may still hold them until the server recycles it, so it is not searched.
    const markers = Object.values(mark);
    const found: string[] = [];
    let controlSeen = false;
    if (engine === 'postgres') {
      const { stdout } = await run('/usr/bin/pg_dump', [pgUrl!], { maxBuffer: 256 * 1024 * 1024 });
      controlSeen = stdout.includes(control);
      for (const mk of markers) if (stdout.includes(mk)) found.push(mk);
    } else {
      await db.exec('CHECKPOINT');
      await db.close();
      for (const file of await filesUnder(path.join(dir!, 'pgdata', 'base'))) {
        const bytes = await readFile(file);
        if (bytes.includes(Buffer.from(control))) controlSeen = true;
        for (const mk of markers)
          if (bytes.includes(Buffer.from(mk))) found.push(`${mk} in ${file}`);
      }
      db = await openDatabase({ engine: 'embedded', dir: path.join(dir!, 'pgdata') });
    }
    expect(controlSeen).toBe(true);
    expect(found).toEqual([]);
  });
});
