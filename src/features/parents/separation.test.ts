// The hard separation (issue 21), generated from the route list, on both engines. Every
// /api/parent/ route must have a row (separation-test-kit.ts) or this fails naming it. For every row:
// signed out → 401; a staff session alone → 401; family B's parent asking for family A's child →
// 404 "No such child." with nothing changed (and audited); and neither the declared response
// schema nor the actual answer holds a field of a safeguarding record or a staff record. The
// reverse too: every staff route called with only a parent's cookie → 401.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  testClock,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { makeParent, parentCall, signInParent, type ParentSession } from './parent-test-kit.ts';
import { PARENT_ROUTE_ROWS, type SeparationFixture } from './separation-test-kit.ts';

/**
 * Property names of safeguarding records and staff records: none may appear in a parent route's
 * declared response schema, nor as a key anywhere in its answer.
 */
export const DENIED_FIELDS = [
  'concern',
  'concerns',
  'concernId',
  'body',
  'bodyMap',
  'location',
  'category',
  'categories',
  'categoryId',
  'restricted',
  'referral',
  'referrals',
  'chronology',
  'case',
  'cases',
  'caseId',
  'outcome',
  'rationale',
  'triage',
  'classification',
  'lado',
  'action',
  'actions',
  'alert',
  'alerts',
  'flag',
  'flags',
  'vulnerability',
  'sen',
  'senStatus',
  'restriction',
  'restrictions',
  'courtOrder',
  'note',
  'notes',
  'conversation',
  'conversations',
  'attachment',
  'attachments',
  'raisedBy',
  'author',
  'authorId',
  'user',
  'users',
  'userId',
  'staff',
  'staffId',
  'role',
  'permissions',
  'capabilities',
  'groups',
  'elevated',
  'recordedBy',
  'dsl',
  'upn',
  'misId',
  'transfer',
  'transfers',
  'retention',
  'audit',
] as const;
const DENIED = new Set<string>(DENIED_FIELDS);

/** Every property name a JSON schema declares, at any depth. */
function schemaKeys(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => schemaKeys(s, out));
  else if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const k of Object.keys(o.properties)) out.add(k);
    }
    for (const v of Object.values(o)) schemaKeys(v, out);
  }
  return out;
}

/** Every key of a JSON value, at any depth. */
function bodyKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => bodyKeys(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      bodyKeys(v, out);
    }
  }
  return out;
}

const DOOR_TABLES = [
  'parent_accounts',
  'parent_links',
  'parent_invitations',
  'parent_totp',
  'pupils',
  'pupil_contacts',
  'contacts',
];

/** A digest of every row of the tables in school A: equal before and after means unchanged. */
async function digest(t: TestApp, schoolId: string, tables: string[]): Promise<string> {
  const h = createHash('sha256');
  await unsafeAsOwner(t.services.db, async (q) => {
    for (const table of tables) {
      const rows = await q.query(`SELECT * FROM ${table} WHERE school_id = $1`, [schoolId]);
      const lines = rows.map((r) => JSON.stringify(r)).sort();
      h.update(`${table}\n${lines.join('\n')}\n`);
    }
  });
  return h.digest('hex');
}

let t: TestApp;
let f: SeparationFixture;
let staffName: string;
let otherChildName: string;
const clock = testClock();

beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' }, clock });
  t.services.mailer = { send: () => Promise.resolve() };
  const schoolId = await makeSchool(t.services);
  staffName = `Staff Sentinel ${Math.random().toString(36).slice(2, 8)}`;
  const dsl = await makeUser(t.services, schoolId, 'dsl', staffName);
  const child = await makePupil(t.services, schoolId, { yearGroup: 'Reception' });
  const otherChild = await makePupil(t.services, schoolId, { yearGroup: 'Reception' });
  otherChildName = otherChild.name;
  f = {
    t,
    schoolId,
    parent: await makeParent(t, schoolId, [child.id]),
    childId: child.id,
    otherParent: await makeParent(t, schoolId, [otherChild.id], { firstName: 'Bea' }),
    otherChildId: otherChild.id,
    staff: await signIn(t.app, dsl, { elevated: true }),
  };
});
afterAll(async () => t.close());

const parentRoutes = () => t.routes.filter((r) => r.url.startsWith('/api/parent/'));
const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

describe('parent routes are sealed off', () => {
  it('has a row for every parent route, each declared parent, and no row for a route that is gone', () => {
    const registered = parentRoutes().map(keyOf);
    expect(registered.filter((k) => !PARENT_ROUTE_ROWS[k])).toEqual([]);
    expect(Object.keys(PARENT_ROUTE_ROWS).filter((k) => !registered.includes(k))).toEqual([]);
    expect(
      parentRoutes()
        .filter((r) => !r.parent)
        .map(keyOf),
    ).toEqual([]);
    // …and nothing outside /api/parent/ is a parent route.
    expect(t.routes.filter((r) => r.parent && !r.url.startsWith('/api/parent/'))).toEqual([]);
  });

  it('declares no field of a safeguarding or staff record in any parent response', () => {
    for (const r of parentRoutes()) {
      const denied = [...schemaKeys(r.schema.response)].filter((k) => DENIED.has(k));
      expect(denied, keyOf(r)).toEqual([]);
    }
  });

  let cached: ParentSession | undefined;
  const session = async (fresh: boolean) =>
    fresh ? signInParent(t, f.parent) : (cached ??= await signInParent(t, f.parent));
  let otherCached: ParentSession | undefined;

  for (const [key, row] of Object.entries(PARENT_ROUTE_ROWS)) {
    const [method] = key.split(' ') as [Method];
    it(`${key}: signed out, staff, another family, and what it answers`, async () => {
      const req = await row.request(f);
      const anon = await parentCall(t, null, method, req.url, req.payload);
      if (row.public) expect(anon.statusCode, anon.body).toBeLessThan(500);
      else expect(anon.statusCode, anon.body).toBe(401);

      // A staff session (elevated DSL) is nobody here.
      const staff = await parentCall(t, f.staff, method, req.url, req.payload);
      if (row.public) {
        expect(staff.statusCode, staff.body).toBeLessThan(500);
        expect(staff.cookies.some((c) => c.name === 'lantern_session' && c.value === '')).toBe(
          false,
        );
      } else expect(staff.statusCode, staff.body).toBe(401);

      if (row.about === 'child') {
        otherCached ??= await signInParent(t, f.otherParent);
        const tables = [...DOOR_TABLES, ...(row.tables ?? [])];
        const before = await digest(t, f.schoolId, tables);
        const other = await parentCall(t, otherCached, method, req.url, req.payload);
        expect(other.statusCode, other.body).toBe(404);
        expect(other.json<{ error: { message: string } }>().error.message).toBe('No such child.');
        expect(await digest(t, f.schoolId, tables)).toBe(before);
        const [audited] = await unsafeAsOwner(t.services.db, (q) =>
          q.query<{ actor_id: string | null; actor_label: string }>(
            `SELECT actor_id, actor_label FROM audit_events WHERE school_id = $1
               AND action = 'parent.child_refused' AND target_id = $2 ORDER BY seq DESC LIMIT 1`,
            [f.schoolId, f.childId],
          ),
        );
        expect(audited).toEqual({ actor_id: null, actor_label: `Parent: ${f.otherParent.name}` });
      }

      const mine = await parentCall(
        t,
        await session(row.freshSession === true),
        method,
        req.url,
        req.payload,
      );
      if (row.expect === undefined || row.expect === 'ok') {
        expect(mine.statusCode, mine.body).toBeGreaterThanOrEqual(200);
        expect(mine.statusCode, mine.body).toBeLessThan(300);
      } else expect(mine.statusCode, mine.body).toBe(row.expect);
      const keys = mine.body ? [...bodyKeys(JSON.parse(mine.body) as unknown)] : [];
      expect(
        keys.filter((k) => DENIED.has(k)),
        key,
      ).toEqual([]);
      expect(mine.body).not.toContain(staffName);
      expect(mine.body).not.toContain(otherChildName);
      expect(mine.body).not.toContain(f.otherChildId);
    });
  }

  it('answers every staff route 401 to a parent cookie alone', async () => {
    const s = await signInParent(t, f.parent);
    const staffRoutes = t.routes.filter((r) => r.url.startsWith('/api/') && !r.parent && !r.public);
    expect(staffRoutes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const r of staffRoutes) {
      const url = r.url.replace(/:[A-Za-z]+/g, f.childId);
      const res = await parentCall(
        t,
        s,
        r.method as Method,
        url,
        r.method === 'GET' ? undefined : {},
      );
      if (res.statusCode !== 401) wrong.push(`${keyOf(r)} → ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });
});
