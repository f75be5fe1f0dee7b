// Encryption at rest, end to end: a concern logged through the HTTP API is read back by the
// application, yet its words appear nowhere in the database's own files (embedded) or in a
// pg_dump of the database (PostgreSQL). The stored value is Lantern's envelope, bound to its row.
// Every other sealed column, and the vault, is covered the same way by sealed-at-rest.test.ts.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../core/feature.ts';
import { openDatabase } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { createServices, type Services } from '../services.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  silentLog,
  testApp,
  testConfig,
  appFor,
} from '../../test/harness.ts';
import { DecryptError } from './aead.ts';

const run = promisify(execFile);
const engine = inject('engine');

type Stack = { app: App; services: Services; close(): Promise<void> };
let stack: Stack;
let dataDir: string | undefined;

beforeAll(async () => {
  if (engine === 'postgres') {
    const t = await testApp();
    stack = { app: t.app, services: t.services, close: () => t.close() };
    return;
  }
  // An on-disk embedded database, so there are real files to search afterwards.
  dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-at-rest-'));
  const db = await openDatabase({ engine: 'embedded', dir: path.join(dataDir, 'pgdata') });
  const services = await createServices(testConfig({ dataDir }), { db, log: silentLog });
  const { app } = await appFor(services);
  stack = {
    app,
    services,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
});

afterAll(async () => {
  await stack.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function logConcern(body: string, location: string, schoolName?: string) {
  const { app, services } = stack;
  const schoolId = await makeSchool(services, schoolName);
  const teacher = await makeUser(services, schoolId, 'teacher');
  const pupil = await makePupil(services, schoolId);
  const [cat] = await categoryIds(services, schoolId);
  const session = await signIn(app, teacher);
  const res = await call(app, session, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [cat!.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    location,
    body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { schoolId, session, id: res.json<{ id: string }>().id };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

// pg_dump writes a bytea column as hex: a column left unsealed would show in a dump only so.
function occurrences(haystack: Buffer, markers: string[]): string[] {
  const found: string[] = [];
  for (const m of markers) {
    for (const enc of ['utf8', 'utf16le'] as const) {
      if (haystack.includes(Buffer.from(m, enc))) found.push(`${m} (${enc})`);
    }
    if (haystack.includes(Buffer.from(Buffer.from(m).toString('hex')))) found.push(`${m} (hex)`);
  }
  return found;
}

describe('encryption at rest', () => {
  it('reads a concern back through the API, while its text is nowhere in the stored bytes', async () => {
    const bodyMarker = `MARKER-${randomUUID()}`;
    const placeMarker = `PLACE-${randomUUID()}`;
    // School names are stored in plain text: finding this one proves the search can find things.
    const control = `CONTROL-${randomUUID()}`;
    const c = await logConcern(
      `Disclosed at lunch. ${bodyMarker} End.`,
      `Canteen ${placeMarker}`,
      `School ${control}`,
    );

    const read = await call(stack.app, c.session, 'GET', `/api/concerns/${c.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json<{ body: string; location: string }>()).toMatchObject({
      body: `Disclosed at lunch. ${bodyMarker} End.`,
      location: `Canteen ${placeMarker}`,
    });
    // A sanity check that the search would work: the marker is in the application's answer.
    expect(occurrences(Buffer.from(read.body), [bodyMarker, placeMarker])).toHaveLength(2);

    if (engine === 'postgres') {
      const { stdout } = await run('/usr/bin/pg_dump', [inject('databaseUrl')], {
        maxBuffer: 1024 * 1024 * 1024,
        encoding: 'buffer',
      });
      expect(stdout.length).toBeGreaterThan(1000);
      // The dump does hold this school's rows: its plain-text name is there, its words are not.
      expect(occurrences(stdout, [control])).toEqual([`${control} (utf8)`]);
      expect(occurrences(stdout, [bodyMarker, placeMarker])).toEqual([]);
    } else {
      // Flush everything to the data files, then close so nothing is held only in memory.
      await stack.services.db.exec('CHECKPOINT');
      await stack.close();
      const files = await filesUnder(dataDir!);
      expect(files.length).toBeGreaterThan(100);
      let controlSeen = false;
      for (const file of files) {
        const bytes = await readFile(file);
        if (occurrences(bytes, [control]).length > 0) controlSeen = true;
        expect(occurrences(bytes, [bodyMarker, placeMarker]), file).toEqual([]);
      }
      // The search reached the files the rows live in, so finding no marker means something.
      expect(controlSeen).toBe(true);
      // Reopen for the remaining tests.
      const db = await openDatabase({ engine: 'embedded', dir: path.join(dataDir!, 'pgdata') });
      const services = await createServices(testConfig({ dataDir }), { db, log: silentLog });
      const { app } = await appFor(services);
      stack = {
        app,
        services,
        close: async () => {
          await app.close();
          await db.close();
        },
      };
    }
  });

  it('stores Lantern’s envelope (format byte, key version) bound to the row it belongs to', async () => {
    const a = await logConcern(`First ${randomUUID()}`, 'Hall');
    const b = await logConcern(`Second ${randomUUID()}`, 'Field');
    const { services } = stack;
    const rows = await unsafeAsOwner(services.db, (tx) =>
      tx.query<{ id: string; school_id: string; body: Buffer; location: Buffer }>(
        'SELECT id, school_id, body, location FROM concerns WHERE id = ANY($1::uuid[])',
        [[a.id, b.id]],
      ),
    );
    const rowA = rows.find((r) => r.id === a.id)!;
    for (const r of rows) {
      for (const v of [r.body, r.location]) {
        expect(v[0]).toBe(0x01);
        expect(v.readUInt32BE(1)).toBe(1);
      }
    }

    // Another row of the same school: same key, different row id in the additional data.
    const c = await logConcern(`Third ${randomUUID()}`, 'Lab');
    await unsafeAsOwner(services.db, async (tx) => {
      const [row] = await tx.query<{ school_id: string }>(
        'SELECT school_id FROM concerns WHERE id = $1',
        [c.id],
      );
      const sealer = await services.keys.forSchool(tx, row!.school_id);
      const sameSchool = sealer.seal('concerns.body', c.id, 'in place');
      expect(() => sealer.open('concerns.body', randomUUID(), sameSchool)).toThrow(DecryptError);
      expect(() => sealer.open('concerns.location', c.id, sameSchool)).toThrow(DecryptError);
      expect(sealer.open('concerns.body', c.id, sameSchool)).toBe('in place');
    });

    // Copied into a row of another school (a different key, too): the application will not
    // show it. It answers with an error, and never with A's words.
    await unsafeAsOwner(services.db, (tx) =>
      tx.query('UPDATE concerns SET body = $1 WHERE id = $2', [rowA.body, b.id]),
    );
    const res = await call(stack.app, b.session, 'GET', `/api/concerns/${b.id}`);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/First/);
    expect(res.body).not.toMatch(/at .*\.ts/);
  });
});
