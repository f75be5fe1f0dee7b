// `lantern keys rotate` with the service running: every school key is re-wrapped under a new
// master key; the running service keeps reading old concerns and writing new ones; a new process
// holding only the new key reads everything; the old key alone no longer opens anything.
// Rotation is installation-wide (every school's keys), so this file runs on a database of its
// own: the embedded test database is already private to the file, and on PostgreSQL a fresh
// database is created beside the test one and dropped afterwards.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { App } from '../../core/feature.ts';
import { openDatabase, type Database } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { rotateMasterKey } from '../../cli/rotate-command.ts';
import { createServices, type Services } from '../services.ts';
import { verifyAudit } from '../audit/verify.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testConfig,
  testDatabase,
  type Session,
  appFor,
} from '../../test/harness.ts';
import { DecryptError } from './aead.ts';
import { keyringOf, readKeyFile, type MasterKey } from './master-key.ts';
import { rewrapAll } from './rotate.ts';
import { createTrust } from '../../features/administration/create-school.ts';
import { addTrustMember } from '../../features/trust/members.ts';
import { SchoolKeys, unwrapKey, type KeyPurpose } from './school-keys.ts';

/** A database only this file uses, and how to drop it afterwards. */
async function privateDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  if (inject('engine') === 'embedded') {
    const db = await testDatabase();
    return { db, drop: () => db.close() };
  }
  const url = new URL(inject('databaseUrl'));
  const name = `lantern_rotate_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = await openDatabase({ engine: 'postgres', url: url.href, poolSize: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  const db = await openDatabase({ engine: 'postgres', url: url.href, poolSize: 5 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

let dir: string;
let store: { db: Database; drop(): Promise<void> };
let services: Services;
let app: App;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lantern-rotate-'));
  store = await privateDatabase();
  // The embedded default: a key file, which rotation rewrites with the new key first.
  services = await createServices(
    testConfig({ masterKey: undefined, masterKeyFile: path.join(dir, 'master.key') }),
    { db: store.db, log: silentLog },
  );
  app = (await appFor(services)).app;
});

afterAll(async () => {
  await app.close();
  await store.drop();
  await rm(dir, { recursive: true, force: true });
});

type Staffed = { schoolId: string; session: Session; pupilId: string; categoryId: string };

async function staffedSchool(): Promise<Staffed> {
  const schoolId = await makeSchool(services);
  const teacher = await makeUser(services, schoolId, 'teacher');
  const pupil = await makePupil(services, schoolId);
  const [cat] = await categoryIds(services, schoolId);
  return { schoolId, session: await signIn(app, teacher), pupilId: pupil.id, categoryId: cat!.id };
}

async function logConcern(on: App, s: Staffed, body: string): Promise<string> {
  const res = await call(on, s.session, 'POST', '/api/concerns', {
    pupils: [{ pupilId: s.pupilId, role: 'subject' }],
    categoryIds: [s.categoryId],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

async function readBody(on: App, s: Staffed, id: string): Promise<string> {
  const res = await call(on, s.session, 'GET', `/api/concerns/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ body: string }>().body;
}

type KeyRow = {
  school_id: string;
  purpose: KeyPurpose;
  version: number;
  wrapped: Buffer;
  master_key_id: string;
};
const keyRows = () =>
  unsafeAsOwner(services.db, (tx) =>
    tx.query<KeyRow>('SELECT school_id, purpose, version, wrapped, master_key_id FROM school_keys'),
  );

describe('master key rotation', () => {
  it('re-wraps every school key while the service runs; only the new key is needed after', async () => {
    const a = await staffedSchool();
    const b = await staffedSchool();
    const before = await logConcern(app, a, 'Written before the rotation.');
    const beforeB = await logConcern(app, b, 'Also before, in another school.');
    const old = readKeyFile(services.config.masterKeyFile).current;
    expect(new Set((await keyRows()).map((r) => r.master_key_id))).toEqual(new Set([old.id]));

    await rotateQuietly();
    const ring = readKeyFile(services.config.masterKeyFile);
    const next = ring.current;
    expect(next.id).not.toBe(old.id);
    // The file keeps the old key below the new one until the operator removes it.
    expect([...ring.byId.keys()]).toEqual([next.id, old.id]);
    expect((await readFile(services.config.masterKeyFile, 'utf8')).split('\n')[2]).toBe(
      next.key.toString('base64'),
    );

    // The running service: old concerns still read, new ones written and read.
    expect(await readBody(app, a, before)).toBe('Written before the rotation.');
    const after = await logConcern(app, a, 'Written after the rotation.');
    expect(await readBody(app, a, after)).toBe('Written after the rotation.');
    expect(await readBody(app, b, beforeB)).toBe('Also before, in another school.');

    // Every wrapped key now names the new master key.
    const rows = await keyRows();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(new Set(rows.map((r) => r.master_key_id))).toEqual(new Set([next.id]));

    // A new process holding only the new key reads everything, old and new.
    const fresh: Services = { ...services, keys: new SchoolKeys(() => keyringOf([next])) };
    const freshApp = (await appFor(fresh)).app;
    try {
      expect(await readBody(freshApp, a, before)).toBe('Written before the rotation.');
      expect(await readBody(freshApp, a, after)).toBe('Written after the rotation.');
      expect(await readBody(freshApp, b, beforeB)).toBe('Also before, in another school.');
    } finally {
      await freshApp.close();
    }

    // The old key alone opens nothing: neither through SchoolKeys nor by unwrapping directly.
    const oldOnly = new SchoolKeys(() => keyringOf([old]));
    await expect(
      unsafeAsOwner(services.db, (tx) => oldOnly.forSchool(tx, a.schoolId)),
    ).rejects.toThrow(/wrapped by master key .* which this process does not have/);
    for (const r of rows) {
      expect(() =>
        unwrapKey(old.key, r.school_id, r.purpose, r.version, Buffer.from(r.wrapped)),
      ).toThrow(DecryptError);
      expect(
        unwrapKey(next.key, r.school_id, r.purpose, r.version, Buffer.from(r.wrapped)),
      ).toHaveLength(32);
    }

    // The rotation is on each school's audit trail, and the chains still verify.
    for (const s of [a, b]) {
      const [event] = await unsafeAsOwner(services.db, (tx) =>
        tx.query<{ details: { masterKeyId: string } }>(
          `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'keys.rotated'`,
          [s.schoolId],
        ),
      );
      expect(event?.details.masterKeyId).toBe(next.id);
      expect((await verifyAudit(services.db, s.schoolId)).breaks).toEqual([]);
    }
  });

  // A process that read the key file a moment before a rotation must pick up the new key.
  it('a process that started just before a rotation wraps a new school under the new key', async () => {
    const started = await createServices(services.config, { db: store.db, log: silentLog });
    await rotateQuietly();
    const newest = readKeyFile(services.config.masterKeyFile).current;
    const schoolId = await makeSchool(started);
    const rows = (await keyRows()).filter((r) => r.school_id === schoolId);
    expect(rows.map((r) => r.master_key_id)).toEqual([newest.id, newest.id]);
  });

  it('a process that started just before a rotation reads a school it had not loaded yet', async () => {
    const c = await staffedSchool();
    const id = await logConcern(app, c, 'Logged, then the keys were rotated.');
    const started = await createServices(services.config, { db: store.db, log: silentLog });
    const startedApp = (await appFor(started)).app;
    try {
      await rotateQuietly();
      expect(await readBody(startedApp, c, id)).toBe('Logged, then the keys were rotated.');
    } finally {
      await startedApp.close();
    }
  });

  it('rewrapAll is all or nothing: a key it cannot unwrap leaves every row as it was', async () => {
    const ring = readKeyFile(services.config.masterKeyFile);
    const snapshot = async () =>
      (await keyRows())
        .map(
          (r) =>
            `${r.school_id}/${r.purpose}/${r.version}/${r.master_key_id}/${r.wrapped.toString('hex')}`,
        )
        .sort();
    const before = await snapshot();
    expect(before.length).toBeGreaterThanOrEqual(4);
    const stranger: MasterKey = { id: 'not-the-right-key', key: Buffer.alloc(32, 7) };
    await expect(rewrapAll(services.db, keyringOf([stranger]), stranger)).rejects.toThrow(
      /No master key/,
    );
    expect(await snapshot()).toEqual(before);
    // From the full ring it succeeds, and re-running with the new key alone is harmless.
    // A trust member's authenticator secret (issue 20), sealed under the master key itself.
    const trustId = await createTrust(services.db, 'Rotation trust');
    const memberId = await addTrustMember(services, {
      trustId,
      email: `rotate-${randomUUID().slice(0, 8)}@test.lantern.invalid`,
      name: 'Rotation lead',
      role: 'trust_safeguarding_lead',
      password: 'rotation-Horse-battery-9!',
    });
    const sealed = services.keys.sealUnderMaster(
      `trust_totp.secret:${memberId}`,
      'JBSWY3DPEHPK3PXP',
    );
    await unsafeAsOwner(services.db, (q) =>
      q.query(
        `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3
         WHERE member_id = $1`,
        [memberId, sealed.sealed, sealed.masterKeyId],
      ),
    );
    const next: MasterKey = { id: 'last-test-key', key: Buffer.alloc(32, 9) };
    expect(await rewrapAll(services.db, ring, next)).toBe(before.length);
    const [trustRow] = await unsafeAsOwner(services.db, (q) =>
      q.query<{ totp_sealed: Buffer; totp_master_key_id: string }>(
        'SELECT totp_sealed, totp_master_key_id FROM trust_member_credentials WHERE member_id = $1',
        [memberId],
      ),
    );
    expect(trustRow!.totp_master_key_id).toBe(next.id);
    expect(
      new SchoolKeys(() => keyringOf([next])).openUnderMaster(
        next.id,
        `trust_totp.secret:${memberId}`,
        Buffer.from(trustRow!.totp_sealed),
      ),
    ).toBe('JBSWY3DPEHPK3PXP');
    expect(await rewrapAll(services.db, keyringOf([next]), next)).toBe(before.length);
    expect(new Set((await keyRows()).map((r) => r.master_key_id))).toEqual(new Set([next.id]));
  });
});

async function rotateQuietly(): Promise<void> {
  // The operator's command: its own process, its own fresh read of the key file.
  const operator = await createServices(services.config, { db: store.db, log: silentLog });
  const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await rotateMasterKey(operator);
  } finally {
    printed.mockRestore();
  }
}
