// Issue 11, finding 2: the school's group × category "add" / "view" / "none" decides who may log a
// concern in a category and who may re-file one into it, and the category list the form offers
// follows the same rule (`allowed: ['add']`). Each member here belongs to one group the test
// builds, so the grant under test is the only one in play. Both engines run this file.
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
import { auditRows, errorOf } from '../identity/identity-test-kit.ts';

type Access = 'none' | 'add' | 'view';
type Grant = {
  nonRestricted: Access;
  restricted: Access;
  categories?: Record<string, Access>;
};

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
});
afterAll(async () => t.close());

/** A school, a pupil, two ordinary categories, one restricted, and a sub-category of the first. */
async function school() {
  const schoolId = await makeSchool(t.services);
  const cats = await categoryIds(t.services, schoolId);
  const [open, closed] = cats.filter((c) => !c.restricted);
  const restricted = cats.find((c) => c.restricted)!;
  const [sub] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ id: string; name: string }>(
      `INSERT INTO categories (school_id, parent_id, name, colour, sort_order)
       VALUES ($1, $2, 'Filing test sub-category', '#1d4f91', 999) RETURNING id, name`,
      [schoolId, open!.id],
    ),
  );
  const pupil = await makePupil(t.services, schoolId);
  return { schoolId, pupil, open: open!, closed: closed!, restricted, sub: sub! };
}

/** A member of staff whose only group is one holding exactly `grant`. */
async function memberWith(schoolId: string, grant: Grant): Promise<{ id: string; s: Session }> {
  const user = await makeUser(t.services, schoolId, 'teacher', 'Lunchtime Supervisor');
  await unsafeAsOwner(t.services.db, async (q) => {
    await q.query('DELETE FROM staff_group_members WHERE user_id = $1', [user.id]);
    const [g] = await q.query<{ id: string }>(
      `INSERT INTO staff_groups (school_id, key, name, non_restricted_default, restricted_default)
       VALUES ($1, $2, $2, $3, $4) RETURNING id`,
      [schoolId, `g_${user.id.slice(0, 8)}`, grant.nonRestricted, grant.restricted],
    );
    await q.query(
      'INSERT INTO staff_group_members (school_id, group_id, user_id) VALUES ($1, $2, $3)',
      [schoolId, g!.id, user.id],
    );
    for (const [categoryId, access] of Object.entries(grant.categories ?? {})) {
      await q.query(
        `INSERT INTO group_category_access (school_id, group_id, category_id, access)
         VALUES ($1, $2, $3, $4)`,
        [schoolId, g!.id, categoryId, access],
      );
    }
  });
  return { id: user.id, s: await signIn(t.app, user) };
}

const concern = (pupilId: string, categoryIds: string[]) => ({
  pupils: [{ pupilId, role: 'subject' }],
  categoryIds,
  happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
  body: 'Filing permissions test: said she was scared to go home.',
});

/** What a refusal must leave alone: the school's concerns, their links and its audit chain. */
async function written(schoolId: string) {
  const [counts] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ concerns: number; links: number; versions: number }>(
      `SELECT (SELECT count(*)::int FROM concerns WHERE school_id = $1) AS concerns,
              (SELECT count(*)::int FROM concern_categories WHERE school_id = $1) AS links,
              (SELECT count(*)::int FROM concern_versions WHERE school_id = $1) AS versions`,
      [schoolId],
    ),
  );
  return { ...counts!, audit: (await auditRows(t, schoolId)).length };
}

const offered = async (s: Session, query = '') => {
  const res = await call(t.app, s, 'GET', `/api/categories${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const items = res.json<{ items: { id: string; allowed: string[] }[] }>().items;
  return new Map(items.map((c) => [c.id, c.allowed]));
};

describe('logging a concern follows the group × category grants', () => {
  it('refuses a category the group is set to "none" for, naming it and writing nothing; the same member logs where they have "add"', async () => {
    const k = await school();
    const member = await memberWith(k.schoolId, {
      nonRestricted: 'add',
      restricted: 'add',
      categories: { [k.closed.id]: 'none' },
    });
    const before = await written(k.schoolId);
    for (const ids of [[k.closed.id], [k.open.id, k.closed.id]]) {
      const res = await call(t.app, member.s, 'POST', '/api/concerns', concern(k.pupil.id, ids));
      expect(res.statusCode, res.body).toBe(403);
      expect(errorOf(res).code).toBe('category_not_allowed');
      expect(errorOf(res).message).toContain(`"${k.closed.name}"`);
    }
    expect(await written(k.schoolId)).toEqual(before);

    const ok = await call(
      t.app,
      member.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.open.id]),
    );
    expect(ok.statusCode, ok.body).toBe(201);
    // "add" is enough for a restricted category granted by the group's restricted default.
    const r = await call(
      t.app,
      member.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.restricted.id]),
    );
    expect(r.statusCode, r.body).toBe(201);
  });

  it('lets an explicit "add" open one category to a group that otherwise has "none"', async () => {
    const k = await school();
    const member = await memberWith(k.schoolId, {
      nonRestricted: 'none',
      restricted: 'none',
      categories: { [k.closed.id]: 'add' },
    });
    const ok = await call(
      t.app,
      member.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.closed.id]),
    );
    expect(ok.statusCode, ok.body).toBe(201);
    const refused = await call(
      t.app,
      member.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.open.id]),
    );
    expect(refused.statusCode, refused.body).toBe(403);
    expect(errorOf(refused).message).toContain(`"${k.open.name}"`);
  });

  it('keeps restricted categories to explicit grants: "view" of every ordinary category does not reach them', async () => {
    const k = await school();
    const viewer = await memberWith(k.schoolId, { nonRestricted: 'view', restricted: 'none' });
    const refused = await call(
      t.app,
      viewer.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.restricted.id]),
    );
    expect(refused.statusCode, refused.body).toBe(403);
    expect(errorOf(refused).code).toBe('category_not_allowed');
    // "view" includes "add".
    const ok = await call(
      t.app,
      viewer.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.open.id]),
    );
    expect(ok.statusCode, ok.body).toBe(201);

    const granted = await memberWith(k.schoolId, {
      nonRestricted: 'none',
      restricted: 'none',
      categories: { [k.restricted.id]: 'add' },
    });
    const r = await call(
      t.app,
      granted.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.restricted.id]),
    );
    expect(r.statusCode, r.body).toBe(201);
  });

  it('judges a sub-category by its own entry', async () => {
    const k = await school();
    const member = await memberWith(k.schoolId, {
      nonRestricted: 'add',
      restricted: 'none',
      categories: { [k.sub.id]: 'none' },
    });
    const refused = await call(
      t.app,
      member.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.sub.id]),
    );
    expect(refused.statusCode, refused.body).toBe(403);
    expect(errorOf(refused).message).toContain(`"${k.sub.name}"`);
  });
});

describe('the categories the form is offered', () => {
  it('marks with allowed: ["add"] exactly the categories the member may log under', async () => {
    const k = await school();
    const member = await memberWith(k.schoolId, {
      nonRestricted: 'add',
      restricted: 'none',
      categories: { [k.closed.id]: 'none' },
    });
    const list = await offered(member.s);
    expect(list.get(k.open.id)).toEqual(['add']);
    expect(list.get(k.sub.id)).toEqual(['add']);
    expect(list.get(k.closed.id)).toEqual([]);
    expect(list.get(k.restricted.id)).toEqual([]);

    // Every category offered is accepted, and every one withheld is refused: one rule.
    for (const [id, allowed] of list) {
      const res = await call(t.app, member.s, 'POST', '/api/concerns', concern(k.pupil.id, [id]));
      expect(res.statusCode, res.body).toBe(allowed.includes('add') ? 201 : 403);
    }

    // An archived category is offered to no one.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE categories SET archived_at = now() WHERE id = $1', [k.open.id]),
    );
    expect((await offered(member.s, '?archived=true')).get(k.open.id)).toEqual([]);
  });
});

describe('correcting a concern into a category', () => {
  it('refuses re-filing into a category the author may not log under, leaving the concern unchanged', async () => {
    const k = await school();
    const author = await memberWith(k.schoolId, {
      nonRestricted: 'add',
      restricted: 'none',
      categories: { [k.closed.id]: 'none' },
    });
    const logged = await call(
      t.app,
      author.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.open.id]),
    );
    expect(logged.statusCode, logged.body).toBe(201);
    const id = logged.json<{ id: string }>().id;
    const view = (await call(t.app, author.s, 'GET', `/api/concerns/${id}`)).body;
    const before = await written(k.schoolId);

    for (const categoryIds of [[k.closed.id], [k.open.id, k.restricted.id]]) {
      const res = await call(t.app, author.s, 'PATCH', `/api/concerns/${id}`, {
        categoryIds,
        body: 'Re-filed text that must not be saved.',
        reason: 'Wrong category',
      });
      expect(res.statusCode, res.body).toBe(403);
      expect(errorOf(res).code).toBe('category_not_allowed');
    }
    expect(await written(k.schoolId)).toEqual(before);
    expect((await call(t.app, author.s, 'GET', `/api/concerns/${id}`)).body).toBe(view);

    // Into a category they may log under, the correction goes through.
    const ok = await call(t.app, author.s, 'PATCH', `/api/concerns/${id}`, {
      categoryIds: [k.open.id, k.sub.id],
      reason: 'Also this',
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('does not judge again a category the record already has, so a later "none" never blocks a correction', async () => {
    const k = await school();
    const author = await memberWith(k.schoolId, { nonRestricted: 'add', restricted: 'none' });
    const logged = await call(
      t.app,
      author.s,
      'POST',
      '/api/concerns',
      concern(k.pupil.id, [k.open.id, k.closed.id]),
    );
    expect(logged.statusCode, logged.body).toBe(201);
    const id = logged.json<{ id: string }>().id;
    // The school now closes the first category to the author's group.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `INSERT INTO group_category_access (school_id, group_id, category_id, access)
         SELECT $1, group_id, $2, 'none' FROM staff_group_members WHERE user_id = $3`,
        [k.schoolId, k.open.id, author.id],
      ),
    );
    for (const edit of [
      { body: 'Corrected text.', reason: 'Typo' },
      { categoryIds: [k.open.id], reason: 'Only the first' },
    ]) {
      const res = await call(t.app, author.s, 'PATCH', `/api/concerns/${id}`, edit);
      expect(res.statusCode, res.body).toBe(200);
    }
    // But filing it back under the second, now removed from the record, is judged afresh: allowed.
    const back = await call(t.app, author.s, 'PATCH', `/api/concerns/${id}`, {
      categoryIds: [k.closed.id],
      reason: 'Back',
    });
    expect(back.statusCode, back.body).toBe(200);
  });
});
