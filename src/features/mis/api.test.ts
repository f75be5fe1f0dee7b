// The push API (API key, idempotent batch id, another school's key), the administrator's MIS
// routes, the pull connector against a local server of recorded pages, and the pupil profile.
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { runDueConnectors } from './scheduler.ts';

let t: TestApp;
const school = generateSchool({ pupils: 30, staff: 6, groups: 60, days: 2, seed: 11 });

async function wondeFiles(from = school): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-push-test-'));
  await writeBatch('wonde', dir, fullBatch(from));
  const out: Record<string, unknown> = {};
  for (const f of await readdir(dir))
    out[f] = JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown;
  return out;
}

async function adminOf(schoolId: string): Promise<Session> {
  return signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), { elevated: true });
}

async function newKey(session: Session): Promise<string> {
  const res = await call(t.app, session, 'POST', '/api/admin/mis/keys', { label: 'Integrator' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ key: string }>().key;
}

function push(key: string | null, body: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/mis/push',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    payload: body as object,
  });
}

beforeAll(async () => {
  // Development: the pull connector below talks to a local server on loopback, which is refused
  // anywhere else (connector.test.ts).
  t = await testApp({ config: { env: 'development' } });
});
afterAll(async () => t.close());

const count = async (schoolId: string) =>
  (
    await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM pupils WHERE school_id = $1', [
        schoolId,
      ]),
    )
  )[0]!.n;

describe('push API', () => {
  it('applies a batch with the school key, once per batch id; refuses bad and foreign keys', async () => {
    const a = await makeSchool(t.services);
    const b = await makeSchool(t.services);
    const key = await newKey(await adminOf(a));
    const keyB = await newKey(await adminOf(b));
    const files = await wondeFiles();
    const body = { batchId: 'night-1', format: 'wonde', kind: 'full', files };

    expect((await push(null, body)).statusCode).toBe(401);
    expect((await push('lmis_not-a-real-key', body)).statusCode).toBe(401);

    const first = await push(key, body);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'applied', duplicate: false });
    expect(await count(a)).toBe(30);
    const again = await push(key, body);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await count(a)).toBe(30);
    // School B's key applies to school B only.
    await push(keyB, { ...body, batchId: 'b-1', files: {} });
    expect(await count(a)).toBe(30);
    expect(await count(b)).toBe(0);
  });

  it('rejects a bad batch naming the record and field, and applies nothing', async () => {
    const a = await makeSchool(t.services);
    const key = await newKey(await adminOf(a));
    const files = await wondeFiles();
    const students = files['students.json'] as
      { data: Record<string, unknown>[] }[] | { data: Record<string, unknown>[] };
    const page = Array.isArray(students) ? students[0]! : students;
    page.data[1]!.date_of_birth = {
      date: '2015-02-31 00:00:00.000000',
      timezone_type: 3,
      timezone: 'Europe/London',
    };
    const res = await push(key, { batchId: 'bad-1', format: 'wonde', kind: 'full', files });
    expect(res.statusCode).toBe(422);
    expect(res.json<{ error: string }>().error).toMatch(/students\.json record 1/);
    expect(await count(a)).toBe(0);
  });

  it('a revoked key no longer works', async () => {
    const a = await makeSchool(t.services);
    const admin = await adminOf(a);
    const key = await newKey(admin);
    const list = await call(t.app, admin, 'GET', '/api/admin/mis/keys');
    const id = list.json<{ items: { id: string }[] }>().items[0]!.id;
    expect(JSON.stringify(list.json())).not.toContain(key);
    expect((await call(t.app, admin, 'POST', `/api/admin/mis/keys/${id}/revoke`)).statusCode).toBe(
      204,
    );
    expect(
      (await push(key, { batchId: 'x', format: 'wonde', kind: 'full', files: {} })).statusCode,
    ).toBe(401);
  });
});

describe('pull connector', () => {
  let server: Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    const files = await wondeFiles();
    server = createServer((req, res) => {
      hits += 1;
      if (req.headers.authorization !== 'Bearer wonde-token') {
        res.writeHead(401).end();
        return;
      }
      const url = new URL(req.url ?? '/', base);
      const name = url.pathname.split('/').pop() ?? '';
      const body = files[`${name}.json`];
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      const pages = Array.isArray(body)
        ? (body as Record<string, unknown>[])
        : [body as Record<string, unknown>];
      const n = Number(url.searchParams.get('page') ?? '1');
      const page = {
        ...pages[n - 1],
        meta: { pagination: { next: n < pages.length ? `${base}/${name}?page=${n + 1}` : null } },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/schools/S1`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('pages through the API when due, once, and records the run', async () => {
    const a = await makeSchool(t.services);
    const admin = await adminOf(a);
    const set = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
      baseUrl: base,
      token: 'wonde-token',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.body).not.toContain('wonde-token');
    expect(set.json<{ connector: { schedule: string } }>().connector.schedule).toBe('nightly');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE mis_connectors SET next_run_at = now() - interval '1 minute' WHERE school_id = $1`,
        [a],
      ),
    );
    const [ran, ranTwice] = await Promise.all([
      runDueConnectors(t.services),
      runDueConnectors(t.services),
    ]);
    expect(ran + ranTwice).toBe(1);
    expect(hits).toBeGreaterThan(0);
    expect(await count(a)).toBe(30);
    const runs = await call(t.app, admin, 'GET', '/api/admin/mis/runs');
    expect(runs.json<{ items: { source: string; status: string }[] }>().items[0]).toMatchObject({
      source: 'pull',
      status: 'applied',
    });
    const conn = await call(t.app, admin, 'GET', '/api/admin/mis/connector');
    expect(
      conn.json<{ connector: { lastStatus: string; nextRunAt: string } }>().connector.lastStatus,
    ).toBe('applied');
    expect(await runDueConnectors(t.services)).toBe(0);
  });
});

describe('pupil profile', () => {
  it('shows contacts in priority order with court-order restrictions first, siblings and attendance', async () => {
    const a = await makeSchool(t.services);
    const key = await newKey(await adminOf(a));
    // The pupil under test comes from the MIS with a flag of its own (the generator gives few
    // pupils one), so the refusal to end an MIS flag below is always exercised.
    const profileSchool = structuredClone(school);
    const withSibling = profileSchool.pupils.find((p) => p.siblingMisIds.length > 0)!;
    withSibling.flags.push({ kind: 'child_in_need', startDate: null, endDate: null });
    const files = () => wondeFiles(profileSchool);
    await push(key, { batchId: 'p-1', format: 'wonde', kind: 'full', files: await files() });
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>('SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2', [
        a,
        withSibling.misId,
      ]),
    );
    // The generator's term is in the past: move it to end today, inside this school year.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE attendance_marks SET on_date = on_date + (current_date - (SELECT max(on_date) FROM attendance_marks WHERE school_id = $1))
         WHERE school_id = $1`,
        [a],
      ),
    );
    const dsl = await signIn(t.app, await makeUser(t.services, a, 'dsl'), { elevated: true });
    const before = await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}`);
    expect(before.statusCode, before.body).toBe(200);
    const profile = before.json<{
      contacts: { id: string; priority: number; restricted: boolean }[];
      siblings: { id: string }[];
      attendance: { possible: number };
    }>();
    expect(profile.siblings).toHaveLength(1);
    expect(profile.attendance.possible).toBeGreaterThan(0);
    const last = profile.contacts[profile.contacts.length - 1]!;
    const r = await call(t.app, dsl, 'POST', `/api/pupils/${row!.id}/restrictions`, {
      contactId: last.id,
      kind: 'no_contact_or_collection',
      courtOrder: true,
      note: 'Order of 3 March',
    });
    expect(r.statusCode, r.body).toBe(201);
    const after = (await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}`)).json<{
      contacts: { id: string; restricted: boolean }[];
      restrictions: { note: string }[];
    }>();
    expect(after.contacts[0]).toMatchObject({ id: last.id, restricted: true });
    expect(after.restrictions[0]!.note).toBe('Order of 3 March');
    const teacher = await signIn(t.app, await makeUser(t.services, a, 'teacher'));
    expect((await call(t.app, teacher, 'GET', `/api/pupils/${row!.id}`)).statusCode).toBe(403);

    // A flag set in Lantern survives the next sync (which replaces only the MIS's own flags),
    // and is ended in Lantern; a flag from the MIS cannot be ended here.
    const flagged = await call(t.app, dsl, 'POST', `/api/pupils/${row!.id}/flags`, {
      flag: 'young_carer',
      startsOn: '2026-09-01',
    });
    expect(flagged.statusCode, flagged.body).toBe(201);
    const flagId = flagged.json<{ id: string }>().id;
    const backwards = await call(t.app, dsl, 'POST', `/api/pupils/${row!.id}/flags/${flagId}/end`, {
      endsOn: '2026-08-01',
    });
    expect(backwards.statusCode).toBe(400);
    await push(key, { batchId: 'p-2', format: 'wonde', kind: 'full', files: await files() });
    type Flags = { flags: { id: string; flag: string; source: string; endsOn: string | null }[] };
    const kept = (await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}`)).json<Flags>().flags;
    expect(kept.find((f) => f.id === flagId)).toMatchObject({
      flag: 'young_carer',
      source: 'lantern',
    });
    const ended = await call(t.app, dsl, 'POST', `/api/pupils/${row!.id}/flags/${flagId}/end`, {
      endsOn: '2027-07-22',
    });
    expect(ended.statusCode, ended.body).toBe(204);
    const after2 = (await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}`)).json<Flags>().flags;
    expect(after2.find((f) => f.id === flagId)?.endsOn).toBe('2027-07-22');
    // The Wonde fixture gives this pupil a flag from the MIS: ending it in Lantern is refused.
    const fromMis = after2.find((f) => f.source === 'mis');
    expect(fromMis, JSON.stringify(after2)).toBeDefined();
    const refused = await call(
      t.app,
      dsl,
      'POST',
      `/api/pupils/${row!.id}/flags/${fromMis!.id}/end`,
      { endsOn: '2027-07-22' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/comes from the MIS/);

    // The sync's MIS events are on the pupil's chronology, in order with everything else.
    const chronology = await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}/chronology`);
    expect(chronology.statusCode, chronology.body).toBe(200);
    const entries = chronology.json<{ entries: { kind: string; title: string; text: string }[] }>()
      .entries;
    const joined = entries.find((e) => e.kind === 'mis_event');
    expect(joined).toMatchObject({ title: 'MIS: joined' });
    expect(joined!.text).toMatch(/^Joined the school/);
    const kinds = await call(t.app, dsl, 'GET', `/api/pupils/${row!.id}/chronology?kinds=concern`);
    expect(kinds.json<{ entries: { kind: string }[] }>().entries).toEqual([]);
  });
});
