// Zero 500s under fuzzing (issue 11): every route in the app's route list is driven by its own
// declared body, querystring and params schemas. From a well-formed request (real ids where the
// school has them), fast-check puts one bad value in one field: a NUL, a lone surrogate, a year
// 0000 or 9999, a value of the wrong type, deep nesting; and each route also gets malformed and
// deeply nested JSON. Every answer must be a 4xx with a message, and nothing may be written: the
// school's audit chain and its main tables keep their counts. Fixed seed, bounded runs.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../test/harness.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import type { RouteInfo } from './app.ts';
import { makeAjv } from './validation.ts';

type Schema = {
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
  minItems?: number;
};
type Path = (string | number)[];

const RUNS_PER_ROUTE = 12;
const SEED = 1111;
const TABLES = [
  'concerns',
  'concern_versions',
  'cases',
  'case_events',
  'actions',
  'referrals',
  'conversations',
  'attachments',
  'alerts',
  'pupils',
  'users',
  'categories',
  'staff_groups',
  'staff_group_members',
  'email_links',
  'audit_events',
];

let t: TestApp;
let session: Session;
let schoolId: string;
/** Real ids by the field or param name that carries them. */
const ids: Record<string, string> = {};
const exact = makeAjv(false);
const fromText = makeAjv('array');

beforeAll(async () => {
  t = await testApp();
  schoolId = await makeSchool(t.services);
  const dsl = await makeUser(t.services, schoolId, 'dsl');
  const pupil = await makePupil(t.services, schoolId);
  const [cat] = await categoryIds(t.services, schoolId);
  session = await signIn(t.app, dsl, { elevated: true });
  const concern = await t.app.inject({
    method: 'POST',
    url: '/api/concerns',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    payload: {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'fuzz',
    },
  });
  expect(concern.statusCode, concern.body).toBe(201);
  Object.assign(ids, {
    pupilId: pupil.id,
    concernId: concern.json<{ id: string }>().id,
    categoryId: cat!.id,
    categoryIds: cat!.id,
    userId: dsl.id,
    ownerId: dsl.id,
    assigneeId: dsl.id,
    alertUserIds: dsl.id,
  });
});
afterAll(async () => t.close());

async function footprint(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await unsafeAsOwner(t.services.db, async (q) => {
    for (const table of TABLES) {
      const [row] = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE school_id = $1`,
        [schoolId],
      );
      out[table] = row!.n;
    }
  });
  return out;
}

/** A well-formed value for a schema, with the school's real ids where the name says which. */
function sample(s: Schema, name: string): unknown {
  if (s.anyOf) return sample(s.anyOf.find((b) => b.type !== 'null') ?? s.anyOf[0]!, name);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, k)]),
      );
    case 'array':
      return s.items ? [sample(s.items, name)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case undefined:
      return 'x';
    case 'string':
      if (s.format === 'uuid') return ids[name] ?? randomUUID();
      if (s.format === 'date') return '2030-01-01';
      if (s.format === 'date-time') return new Date(Date.now() - 60_000).toISOString();
      if (s.format === 'email') return 'someone@fuzz.lantern.invalid';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return 'x';
  }
}

/** Every field of a schema a value can be put in, with its own schema. */
function leaves(s: Schema, path: Path = []): { path: Path; schema: Schema }[] {
  if (s.anyOf) return leaves(s.anyOf.find((b) => b.type !== 'null') ?? s.anyOf[0]!, path);
  if (s.properties)
    return Object.entries(s.properties).flatMap(([k, v]) => leaves(v, [...path, k]));
  if (s.type === 'array' && s.items) return leaves(s.items, [...path, 0]);
  return path.length > 0 ? [{ path, schema: s }] : [];
}

function put(value: unknown, path: Path, bad: unknown): unknown {
  if (path.length === 0) return bad;
  const [head, ...rest] = path;
  const copy = (
    Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }
  ) as Record<string | number, unknown>;
  copy[head!] = put(copy[head!], rest, bad);
  return copy;
}

const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
/** Bad values for a body field, as JSON values. NUL, surrogates and depth the guard refuses. */
const BODY_BAD = fc.constantFrom<unknown>(
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '0000-01-01',
  '9999-12-31',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.000Z',
  null,
  123,
  -1.5,
  true,
  'text',
  [],
  {},
  deep(100),
);
/** Bad values for a querystring field, as text. */
const QUERY_BAD = fc.constantFrom(
  'a\u0000b',
  '0000-01-01',
  '9999-12-31T00:00:00Z',
  'not-valid',
  '',
);

const unstorable = (v: unknown) =>
  typeof v === 'string' && (v.includes('\u0000') || !v.isWellFormed());
const tooDeep = (v: unknown) => typeof v === 'object' && v !== null && 'a' in v;
/** Whether a request part with this bad value in it must be refused (by schema or guard). */
function mustRefuse(schema: Schema, whole: unknown, bad: unknown, ajv: typeof exact): boolean {
  if (unstorable(bad) || tooDeep(bad)) return true;
  return !ajv.validate(schema, structuredClone(whole));
}

function urlFor(r: RouteInfo, params: Record<string, string>, query?: Record<string, unknown>) {
  const path = r.url.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(params[p] ?? ''));
  if (!query) return path;
  const qs = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return qs ? `${path}?${qs}` : path;
}

function paramsFor(r: RouteInfo): Record<string, string> {
  const schema = r.schema.params as Schema | undefined;
  const resource = /^\/api\/([a-z-]+)\//.exec(r.url)?.[1] ?? '';
  const named: Record<string, string | undefined> = {
    concerns: ids.concernId,
    pupils: ids.pupilId,
    categories: ids.categoryId,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {}))
    out[k] = k === 'id' ? (named[resource] ?? randomUUID()) : String(sample(v, k));
  return out;
}

type Answer = { statusCode: number; body: string };
function refusedWithMessage(what: string, res: Answer): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
  const body = JSON.parse(res.body) as { error?: { message?: unknown } };
  expect(typeof body.error?.message, what).toBe('string');
}

describe('every route under fuzzing', () => {
  it('answers each bad request with a 4xx and a message, and writes nothing', async () => {
    const routes = t.routes.filter(
      (r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/openapi'),
    );
    expect(routes.length).toBeGreaterThan(50);
    const before = await footprint();
    const send = (method: string, url: string, payload?: string) =>
      t.app.inject({
        method: method as 'POST',
        url,
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload !== undefined ? { payload } : {}),
      });
    let sent = 0;
    for (const r of routes) {
      const what = `${r.method} ${r.url}`;
      const params = paramsFor(r);
      const body = r.schema.body as Schema | undefined;
      const query = r.schema.querystring as Schema | undefined;
      const goodQuery = query ? (sample(query, '') as Record<string, unknown>) : undefined;
      const url = urlFor(r, params, goodQuery);

      if (r.method !== 'GET') {
        const whole = ['{"a":', '[[[', '{"a":1}}', '[1,2', '{"\\u0000":1}', '"\\ud800"'];
        whole.push(
          '['.repeat(5000) + ']'.repeat(5000),
          '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
        );
        for (const raw of whole)
          refusedWithMessage(`${what} ${raw.slice(0, 12)}`, await send(r.method, url, raw));
        sent += whole.length;
      }
      if (body) {
        const good = sample(body, '');
        const fields = leaves(body);
        const wrongWhole = [null, 123, 'text', []].filter((v) => mustRefuse(body, v, v, exact));
        for (const v of wrongWhole)
          refusedWithMessage(
            `${what} body ${String(v)}`,
            await send(r.method, url, JSON.stringify(v)),
          );
        sent += wrongWhole.length;
        if (fields.length > 0)
          await fc.assert(
            fc.asyncProperty(fc.constantFrom(...fields), BODY_BAD, async (field, bad) => {
              const mutated = put(good, field.path, bad);
              fc.pre(mustRefuse(body, mutated, bad, exact));
              sent++;
              const payload = JSON.stringify(mutated);
              refusedWithMessage(
                `${what} ${field.path.join('.')}=${JSON.stringify(bad)}`,
                await send(r.method, url, payload),
              );
            }),
            { seed: SEED, numRuns: RUNS_PER_ROUTE, verbose: 0 },
          );
      }
      if (query && goodQuery) {
        const fields = leaves(query);
        if (fields.length > 0)
          await fc.assert(
            fc.asyncProperty(fc.constantFrom(...fields), QUERY_BAD, async (field, bad) => {
              const mutated = { ...goodQuery, [field.path[0]!]: bad };
              fc.pre(mustRefuse(query, mutated, bad, fromText));
              sent++;
              const target = urlFor(r, params, mutated);
              const res = await send(
                r.method,
                target,
                r.method === 'GET' ? undefined : JSON.stringify(sample(body ?? {}, '')),
              );
              refusedWithMessage(`${what} ?${field.path[0]}=${bad}`, res);
            }),
            { seed: SEED, numRuns: RUNS_PER_ROUTE, verbose: 0 },
          );
      }
      const paramSchema = r.schema.params as Schema | undefined;
      const badParams = Object.keys(params)
        .flatMap((p) => [
          [p, '\u0000'],
          [p, 'not-an-id'],
        ])
        .filter(([p, bad]) => mustRefuse(paramSchema!, { ...params, [p!]: bad }, bad, fromText));
      for (const [name, bad] of badParams) {
        sent++;
        const res = await send(
          r.method,
          urlFor(r, { ...params, [name!]: bad! }, goodQuery),
          r.method === 'GET' ? undefined : JSON.stringify(sample(body ?? {}, '')),
        );
        refusedWithMessage(`${what} :${name}=${JSON.stringify(bad)}`, res);
      }
    }
    expect(sent).toBeGreaterThan(routes.length * 4);
    expect(await footprint()).toEqual(before);
  }, 240_000);
});
