// Search finds word forms (issue 14): a search for "bruise" finds records that say "bruised",
// "bruises" or "bruising", each hit names the words it matched as written and its excerpt starts
// near the first of them; records indexed before stems (index version 1) are not found by their
// words until re-indexed, the search says so meanwhile, and the re-index (the background job's
// run, and one batch at a time) brings every kind of record up to the version, audited by counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import { INDEX_VERSION } from './blind-index.ts';
import { reindexBatch } from './reindex.ts';
import { runSearchReindex } from '../../jobs/search-reindex.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

type Hit = { id: string; kind: string; excerpt: string; matched: string[] };
type Found = { items: Hit[]; reindexing?: true };

async function post(s: Session, url: string, body: unknown): Promise<string> {
  const res = await call(t.app, s, 'POST', url, body);
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json<{ id: string }>().id;
}

async function search(s: Session, q: string): Promise<Found> {
  const res = await call(t.app, s, 'POST', '/api/search', { q });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Found>();
}

async function world() {
  const schoolId = await makeSchool(t.services);
  const teacherUser = await makeUser(t.services, schoolId, 'teacher');
  const dslUser = await makeUser(t.services, schoolId, 'dsl');
  const pupil = await makePupil(t.services, schoolId, { firstName: 'Kit', lastName: 'Marsh' });
  const [cat] = await categoryIds(t.services, schoolId);
  const teacher = await signIn(t.app, teacherUser);
  const dsl = await signIn(t.app, dslUser, { elevated: true });
  const concern = (body: string) =>
    post(teacher, '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body,
    });
  return { schoolId, dsl, dslUser, pupil, concern };
}

describe('search finds word forms', () => {
  it('finds every form of a word, names the words matched, and starts the excerpt near them', async () => {
    const w = await world();
    const bruised = await w.concern('Kit came in with a bruised cheek and said it was football.');
    const bruises = await w.concern('Mum says the bruises on his arm are from a fall.');
    const long = await w.concern(
      `${'Kit was quiet in the morning and did not want to join in at break time. '.repeat(4)}At lunch a dinner supervisor saw bruising on his wrist.`,
    );
    await w.concern('He was upset about a lost coat.');
    const action = await post(w.dsl, '/api/actions', {
      pupilId: w.pupil.id,
      type: 'phone_call',
      text: 'Ask mum about the bruise on his arm',
      assigneeId: w.dslUser.id,
    });

    const found = await search(w.dsl, 'bruise');
    expect(found.items.map((h) => h.id).sort()).toEqual([bruised, bruises, long, action].sort());
    expect(found.reindexing).toBeUndefined();
    const byId = new Map(found.items.map((h) => [h.id, h]));
    expect(byId.get(bruised)!.matched).toEqual(['bruised']);
    expect(byId.get(bruises)!.matched).toEqual(['bruises']);
    expect(byId.get(action)!.matched).toEqual(['bruise']);
    const far = byId.get(long)!;
    expect(far.matched).toEqual(['bruising']);
    // The matched word is far into the text: the excerpt starts near it, marked as cut.
    expect(far.excerpt.startsWith('…')).toBe(true);
    expect(far.excerpt).toContain('bruising on his wrist');
    // Two words: both must be there, in any form.
    const both = await search(w.dsl, 'bruising arms');
    expect(both.items.map((h) => h.id).sort()).toEqual([bruises, action].sort());
  });

  it('re-indexes records indexed before stems, says so until done, and audits it', async () => {
    const w = await world();
    const c = await w.concern('Kit had a bruised knee after the trip.');
    const c2 = await w.concern('Kit bruises easily, mum says.');
    const a = await post(w.dsl, '/api/actions', {
      pupilId: w.pupil.id,
      type: 'meeting',
      text: 'Meet Kit about the bruises',
      assigneeId: w.dslUser.id,
    });
    const v = await post(w.dsl, '/api/conversations', {
      pupilId: w.pupil.id,
      withWhom: 'parent',
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      text: 'Mum explained the bruising: a fall at home.',
    });
    // As a school upgraded from version 1 holds them: old tokens, older version.
    await unsafeAsOwner(t.services.db, async (q) => {
      for (const table of ['concerns', 'actions', 'conversations'])
        await q.query(
          `UPDATE ${table} SET index_version = 1, search_tokens = '{}' WHERE school_id = $1`,
          [w.schoolId],
        );
    });
    const before = await search(w.dsl, 'bruise');
    expect(before.items).toEqual([]);
    expect(before.reindexing).toBe(true);

    // One batch of one record per kind, then the job's run does the rest.
    const first = await asSystem(t.services, w.schoolId, 'scheduled').tx((x) => reindexBatch(x, 1));
    expect(first).toEqual({ concerns: 1, actions: 1, conversations: 1, unreadable: [] });
    // Found as each batch lands; the rest not yet, and the search still says so.
    const part = await search(w.dsl, 'bruise');
    expect(part.items).toHaveLength(3);
    expect(part.reindexing).toBe(true);
    // The job's run: the other concern.
    expect(await runSearchReindex(t.services, new Date(), { only: [w.schoolId] })).toBe(1);

    const after = await search(w.dsl, 'bruise');
    expect(after.items.map((h) => h.id).sort()).toEqual([c, c2, a, v].sort());
    expect(after.reindexing).toBeUndefined();
    const [versions] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ below: number }>(
        `SELECT ((SELECT count(*) FROM concerns WHERE school_id = $1 AND index_version <> $2)
               + (SELECT count(*) FROM actions WHERE school_id = $1 AND index_version <> $2)
               + (SELECT count(*) FROM conversations WHERE school_id = $1 AND index_version <> $2))::int AS below`,
        [w.schoolId, INDEX_VERSION],
      ),
    );
    expect(versions!.below).toBe(0);
    const audit = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: Record<string, number> }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'search.reindexed'
          ORDER BY seq`,
        [w.schoolId],
      ),
    );
    const totals = audit.reduce(
      (sum, e) => ({
        concerns: sum.concerns + e.details.concerns!,
        actions: sum.actions + e.details.actions!,
        conversations: sum.conversations + e.details.conversations!,
      }),
      { concerns: 0, actions: 0, conversations: 0 },
    );
    expect(totals).toEqual({ concerns: 2, actions: 1, conversations: 1 });
    expect(audit.every((e) => e.details.indexVersion === INDEX_VERSION)).toBe(true);
    // Nothing of the text in the trail.
    expect(JSON.stringify(audit)).not.toMatch(/bruis/i);
    // Done: a further run finds nothing to do.
    expect(await runSearchReindex(t.services, new Date(), { only: [w.schoolId] })).toBe(0);
  });

  it('marks a record whose text will not open as done with no tokens, rather than retrying it for ever', async () => {
    const w = await world();
    const good = await w.concern('Kit has a bruised elbow.');
    const bad = await w.concern('Kit has a bruised shin.');
    await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(
        `UPDATE concerns SET index_version = 1, search_tokens = '{}' WHERE school_id = $1`,
        [w.schoolId],
      );
      // Its ciphertext damaged: no key opens it.
      await q.query(
        `UPDATE concerns SET body = set_byte(body, length(body) - 1,
           (get_byte(body, length(body) - 1) + 1) % 256) WHERE id = $1`,
        [bad],
      );
    });
    const r = await asSystem(t.services, w.schoolId, 'scheduled').tx((x) => reindexBatch(x));
    expect(r.concerns).toBe(2);
    expect(r.unreadable).toEqual([{ kind: 'concern', id: bad }]);
    const found = await search(w.dsl, 'bruise');
    expect(found.items.map((h) => h.id)).toEqual([good]);
    expect(found.reindexing).toBeUndefined();
    const [entry] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ details: Record<string, number> }>(
        `SELECT details FROM audit_events WHERE school_id = $1 AND action = 'search.reindexed'`,
        [w.schoolId],
      ),
    );
    expect(entry!.details).toMatchObject({ concerns: 2, unreadable: 1 });
  });
});
