// Migration 0060 on a database holding admission answers from before it (an install upgrading):
// the one parent who had started each form keeps their answers as their own copy, re-sealed bound
// to "<request>:<contact>" (the old binding no longer opens them); each decision names that
// parent and its reason is re-sealed bound to "<request>:<contact>:<field>"; the request row
// holds no answers any more. Runs on a fresh database of each engine.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../db/engine.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { keyringOf, newMasterKey } from './master-key.ts';
import { SchoolKeys } from './school-keys.ts';

const engine = inject('engine');
const before = loadMigrations().filter((m) => m.version < 60);
const all = loadMigrations();

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
    pgName = `lantern_reseal_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`CREATE DATABASE ${pgName}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${pgName}`;
    db = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 });
  } else {
    dir = await mkdtemp(path.join(tmpdir(), 'lantern-reseal-'));
    db = await openDatabase({ engine: 'embedded', dir: path.join(dir, 'pgdata') });
  }
  await migrate(db, before);
});

afterAll(async () => {
  await db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (pgName) await adminQuery(`DROP DATABASE ${pgName}`);
});

describe('migration 0060 gives each parent their own admission answers', () => {
  it("keeps the first parent's answers as their copy and re-seals answers and reasons", async () => {
    const ring = keyringOf([newMasterKey()]);
    const keys = new SchoolKeys(() => ring);
    const [schoolId, userId, pupilId, mum, formId, requestId] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    const answers = { ethnicity: 'MWBC', dietary_needs: 'VEG' };
    const now = new Date('2026-11-02T09:00:00Z');
    await unsafeAsOwner(db, async (tx) => {
      await tx.query(`INSERT INTO schools (id, name) VALUES ($1, 'Upgrading school')`, [schoolId]);
      await keys.create(tx, schoolId);
      const sealer = await keys.forSchool(tx, schoolId);
      await tx.query(
        `INSERT INTO users (id, school_id, email, name, role) VALUES ($1, $2, 'a@x.invalid', 'A',
           'school_admin')`,
        [userId, schoolId],
      );
      await tx.query(
        `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name)
         VALUES ($1, $2, 'P1', 'Nia', 'Parent')`,
        [pupilId, schoolId],
      );
      await tx.query(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name)
         VALUES ($1, $2, 'C1', 'Mia', 'Parent')`,
        [mum, schoolId],
      );
      await tx.query(
        `INSERT INTO admission_forms (id, school_id, title, intake, questions, created_by, created_at)
         VALUES ($1, $2, 'Nursery', 'nursery', '[]'::jsonb, $3, $4)`,
        [formId, schoolId, userId, now],
      );
      await tx.query(
        `INSERT INTO admission_requests (id, school_id, form_id, pupil_id, sent_by, sent_at,
           mis_snapshot, answers, saved_at, saved_by_contact, submitted_at, submitted_by_contact)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $9, $6, $9)`,
        [
          requestId,
          schoolId,
          formId,
          pupilId,
          userId,
          now,
          sealer.sealJson('admission_requests.mis_snapshot', requestId, {}),
          sealer.sealJson('admission_requests.answers', requestId, answers),
          mum,
        ],
      );
      await tx.query(
        `INSERT INTO admission_decisions (school_id, request_id, field, decision, reason, conflict,
           decided_by, decided_at) VALUES ($1, $2, 'dietary_needs', 'rejected', $3, false, $4, $5)`,
        [
          schoolId,
          requestId,
          sealer.seal('admission_decisions.reason', `${requestId}:dietary_needs`, 'Not now.'),
          userId,
          now,
        ],
      );
    });
    await expect(migrate(db, all)).rejects.toThrow(/needs the master key/);
    expect(await migrate(db, all, { keys: () => keys })).toContain('0060_admission_responses');
    await unsafeAsOwner(db, async (tx) => {
      const sealer = await keys.forSchool(tx, schoolId);
      const [resp] = await tx.query<{
        contact_id: string;
        answers: Buffer;
        submitted_at: Date;
      }>(
        'SELECT contact_id, answers, submitted_at FROM admission_responses WHERE request_id = $1',
        [requestId],
      );
      expect(resp!.contact_id).toBe(mum);
      expect(new Date(resp!.submitted_at).toISOString()).toBe(now.toISOString());
      const bytes = Buffer.from(resp!.answers);
      expect(sealer.openJson('admission_responses.answers', `${requestId}:${mum}`, bytes)).toEqual(
        answers,
      );
      expect(() => sealer.openJson('admission_requests.answers', requestId, bytes)).toThrow();
      const [req] = await tx.query<{ answers: Buffer | null }>(
        'SELECT answers FROM admission_requests WHERE id = $1',
        [requestId],
      );
      expect(req!.answers).toBeNull();
      const [d] = await tx.query<{ contact_id: string; reason: Buffer }>(
        'SELECT contact_id, reason FROM admission_decisions WHERE request_id = $1',
        [requestId],
      );
      expect(d!.contact_id).toBe(mum);
      expect(
        sealer.open(
          'admission_decisions.reason',
          `${requestId}:${mum}:dietary_needs`,
          Buffer.from(d!.reason),
        ),
      ).toBe('Not now.');
    });
  });
});
