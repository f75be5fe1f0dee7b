// Issue 13: the scheduled Xporter on Demand pull against a real local HTTP server that answers as
// Groupcall documents (xporterdocs.groupcall.com: "School API Tokens", "Changesets"): a school
// token from POST /api/oauth/GetToken, `Authorization: Idaas {token}`, pages by page/pageSize,
// `changedRows=*` starting a changeset with `__changedRows__[0].NextChangedRows`, later markers
// answered with only the changed rows and `<Endpoint>_deleted`. The marker is stored only after
// an applied run, sent next time, and a week on the pull starts afresh (a full snapshot).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullXporterAndSync, type XporterConnection } from './xporter-pull.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
const ESTAB = '3281102';
const APP = 'app.lantern.test';
const SECRET = 'b9aef7a6-school-secret';

type Row = Record<string, unknown>;
const student = (n: number, surname = `Pupil${n}`): Row => ({
  Id: `S${n}`,
  XID: `xS${n}`,
  MIS_ID: `${13000 + n}`,
  Forename: `Kid${n}`,
  Surname: surname,
  DOB: '2012-01-15T00:00:00',
  YearGroup: '7',
  GroupIds: 'G1',
  InLeaCare: 0,
});
const base = {
  Groups: [{ Id: 'G1', Name: '7A', Type: 'Reg Group' }],
  Students: Array.from({ length: 12 }, (_, i) => student(i + 1)),
  StudentContacts: [
    { Id: 'L1', StudentId: 'S1', ContactId: 'C1', Forename: 'Pat', Surname: 'Pupil1', Priority: 1 },
  ],
  Staff: [{ Id: 'T1', Forename: 'Sam', Surname: 'Teacher', Email: 'sam@school.example' }],
} satisfies Record<string, Row[]>;
type Endpoint = keyof typeof base;

/** What changed since each marker: round 1 renames S2 and deletes S12. */
function answer(endpoint: Endpoint, marker: string): { rows: Row[]; deleted: string[] } {
  if (marker === '*') return { rows: base[endpoint], deleted: [] };
  if (marker === `m1-${endpoint}` && endpoint === 'Students')
    return { rows: [student(2, 'Renamed')], deleted: ['S12'] };
  return { rows: [], deleted: [] };
}

const seen: { endpoint: string; changedRows: string; page: number; auth: string }[] = [];
let failStaff = false;
let server: Server;
let url = '';

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  t = await testApp({ config: { env: 'development' } });
  server = createServer((req, res) => {
    void (async () => {
      res.setHeader('content-type', 'application/json');
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && u.pathname === '/api/oauth/GetToken') {
        const b = JSON.parse(await bodyOf(req)) as Record<string, string>;
        const ok =
          b['estab'] === ESTAB &&
          b['relyingParty'] === APP &&
          b['password'] === SECRET &&
          b['thirdpartyid'] === 'XporterOnDemand';
        res.statusCode = ok ? 200 : 401;
        res.end(
          JSON.stringify({
            token: ok ? 'JhS0X-school-token' : null,
            expires: ok ? '2030-04-17T09:34:46Z' : '0001-01-01T00:00:00',
            Message: null,
            ExceptionType: null,
            ExceptionMessage: ok ? null : 'Relying Party not found for estab or secret not correct',
            InnerException: null,
          }),
        );
        return;
      }
      const m = /^\/api\/v1\/School\/(\d+)\/(\w+)\/$/.exec(u.pathname);
      const endpoint = m?.[2] as Endpoint | undefined;
      const changedRows = u.searchParams.get('changedRows') ?? '';
      const page = Number(u.searchParams.get('page'));
      const size = Number(u.searchParams.get('pageSize'));
      const auth = req.headers.authorization ?? '';
      seen.push({ endpoint: endpoint ?? u.pathname, changedRows, page, auth });
      if (!m || m[1] !== ESTAB || !endpoint || !(endpoint in base)) {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      if (auth !== 'Idaas JhS0X-school-token') {
        res.statusCode = 401;
        res.end('{}');
        return;
      }
      if (failStaff && endpoint === 'Staff') {
        res.statusCode = 500;
        res.end('{}');
        return;
      }
      const { rows, deleted } = answer(endpoint, changedRows);
      const round = changedRows === '*' ? 0 : Number(/^m(\d+)-/.exec(changedRows)?.[1] ?? 99);
      const next = `m${round + 1}-${endpoint}`;
      res.end(
        JSON.stringify({
          [endpoint]: rows.slice((page - 1) * size, page * size),
          __changedRows__: [
            {
              SnapshotDate: null,
              SnapshotRP: null,
              PreviousChangedRows: null,
              RequestedChangedRows: changedRows,
              NextChangedRows: next,
              NextUrl: `?changedRows=${next}&page=1&pageSize=${size}`,
            },
          ],
          [`${endpoint}_deleted`]: deleted,
        }),
      );
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await t.close();
});

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query<T>(sql, params));
const door = (schoolId: string) => asSystem(t.services, schoolId, 'mis_sync');
const conn = (): XporterConnection => ({
  baseUrl: url,
  estab: ESTAB,
  relyingParty: APP,
  secret: SECRET,
  pageSize: 5,
});
const pull = (id: string, c = conn()) => pullXporterAndSync(door(id), c, { allowPrivate: true });
const cursor = async (id: string) =>
  (
    await q<{ cursor: string | null }>('SELECT cursor FROM mis_settings WHERE school_id = $1', [id])
  )[0]?.cursor ?? null;
const onRoll = async (id: string) =>
  (
    await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM pupils WHERE school_id = $1 AND archived_at IS NULL',
      [id],
    )
  )[0]!.n;

describe('the Xporter on Demand pull', () => {
  it('starts a changeset, then sends each endpoint its marker; a week on starts afresh', async () => {
    const id = await makeSchool(t.services);
    seen.length = 0;
    const first = await pull(id);
    expect(first.status, first.error ?? '').toBe('applied');
    expect(await onRoll(id)).toBe(12);
    // Every request carried the school token; Students came in three pages of at most five.
    expect(seen.every((s) => s.auth === 'Idaas JhS0X-school-token')).toBe(true);
    expect(seen.every((s) => s.changedRows === '*')).toBe(true);
    expect(seen.filter((s) => s.endpoint === 'Students').map((s) => s.page)).toEqual([1, 2, 3]);
    expect(JSON.parse((await cursor(id))!)).toEqual({
      Groups: 'm1-Groups',
      Students: 'm1-Students',
      StudentContacts: 'm1-StudentContacts',
      Staff: 'm1-Staff',
    });

    // Not the weekly full day: a changeset from the stored markers.
    const today = new Date().getUTCDay();
    await q('UPDATE mis_settings SET full_day = $2 WHERE school_id = $1', [id, (today + 1) % 7]);
    seen.length = 0;
    const second = await pull(id);
    expect(second.status, second.error ?? '').toBe('applied');
    expect(seen.map((s) => `${s.endpoint}:${s.changedRows}`)).toEqual([
      'Groups:m1-Groups',
      'Students:m1-Students',
      'StudentContacts:m1-StudentContacts',
      'Staff:m1-Staff',
    ]);
    expect(second.details.pupils).toMatchObject({ changed: 1, archived: 1, added: 0 });
    expect((second.details.staff as { archived: number }).archived).toBe(0);
    expect((second.details.contacts as { archived: number }).archived).toBe(0);
    expect(await onRoll(id)).toBe(11);
    const [renamed] = await q<{ last_name: string }>(
      'SELECT last_name FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, 'S2'],
    );
    expect(renamed!.last_name).toBe('Renamed');
    expect(JSON.parse((await cursor(id))!)).toMatchObject({ Students: 'm2-Students' });

    // A failed run stores nothing: the next run asks again from the last good marker.
    failStaff = true;
    const failed = await pull(id).catch((e: unknown) => e);
    failStaff = false;
    expect(failed).toBeInstanceOf(Error);
    expect(JSON.parse((await cursor(id))!)).toMatchObject({ Students: 'm2-Students' });
    seen.length = 0;
    const third = await pull(id);
    expect(third.status).toBe('applied');
    expect([third.added, third.changed, third.archived]).toEqual([0, 0, 0]);
    expect(seen.find((s) => s.endpoint === 'Students')!.changedRows).toBe('m2-Students');
    expect(JSON.parse((await cursor(id))!)).toMatchObject({ Students: 'm3-Students' });

    // A week after the last full run, a fresh changeset: the whole selection, as a full run.
    await q(
      `UPDATE mis_sync_runs SET started_at = started_at - interval '8 days'
       WHERE school_id = $1 AND kind = 'full'`,
      [id],
    );
    seen.length = 0;
    const weekly = await pull(id);
    expect(weekly.status, weekly.error ?? '').toBe('applied');
    expect(seen.every((s) => s.changedRows === '*')).toBe(true);
    // This server's whole selection still holds S12, so the full run brings them back.
    expect(await onRoll(id)).toBe(12);
    expect(JSON.parse((await cursor(id))!)).toMatchObject({ Students: 'm1-Students' });
    const kinds = await q<{ kind: string; status: string }>(
      `SELECT kind, status FROM mis_sync_runs WHERE school_id = $1 AND source = 'pull'
         AND status = 'applied' ORDER BY started_at`,
      [id],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['full', 'delta', 'delta', 'full']);
    // The MIS page shows the last full and the last delta run.
    const admin = await signIn(t.app, await makeUser(t.services, id, 'school_admin'), {
      elevated: true,
    });
    const view = await call(t.app, admin, 'GET', '/api/admin/mis/settings');
    const s = view.json<{ lastFullRunAt: string | null; lastDeltaRunAt: string | null }>();
    expect(s.lastFullRunAt).not.toBeNull();
    expect(s.lastDeltaRunAt).not.toBeNull();
  });

  it("a refused token fails the run with Groupcall's reason, and nothing is stored", async () => {
    const id = await makeSchool(t.services);
    const err = await pull(id, { ...conn(), secret: 'wrong' }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/Xporter refused a token \(401\): Relying Party not found/);
    expect(await cursor(id)).toBeNull();
    expect(await onRoll(id)).toBe(0);
  });

  it('is set on the MIS page: Xporter needs the establishment number and application id', async () => {
    const id = await makeSchool(t.services);
    const admin = await signIn(t.app, await makeUser(t.services, id, 'school_admin'), {
      elevated: true,
    });
    const missing = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
      format: 'xporter',
      baseUrl: url,
      token: SECRET,
      relyingParty: APP,
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/establishment number/);
    const saved = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
      format: 'xporter',
      baseUrl: url,
      token: SECRET,
      estab: ESTAB,
      relyingParty: APP,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<{ connector: Record<string, unknown> }>().connector).toMatchObject({
      format: 'xporter',
      estab: ESTAB,
      relyingParty: APP,
    });
    expect(saved.body).not.toContain(SECRET);
    // Another school's estab without its own secret is refused: a secret is for one school.
    const moved = await call(t.app, admin, 'PUT', '/api/admin/mis/connector', {
      format: 'xporter',
      baseUrl: url,
      estab: '3289999',
      relyingParty: APP,
    });
    expect(moved.statusCode).toBe(400);
    // The scheduler runs it: due now, it pulls through the same path and records the status.
    await q(
      "UPDATE mis_connectors SET next_run_at = now() - interval '1 minute' WHERE school_id = $1",
      [id],
    );
    const { runDueConnectors } = await import('./scheduler.ts');
    await runDueConnectors(t.services);
    const [c] = await q<{ last_status: string }>(
      'SELECT last_status FROM mis_connectors WHERE school_id = $1',
      [id],
    );
    expect(c!.last_status).toBe('applied');
    expect(await onRoll(id)).toBe(12);
  });
});
