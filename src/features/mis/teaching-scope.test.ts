// The "own groups" permission scope follows the MIS: a class teacher sees records about pupils in
// the teaching groups the MIS says they teach, and stops seeing them when a sync moves the pupil
// out of that class (issue 3's scopes, issue 5's "group changes change which teachers can see").
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import type { Batch } from './fixtures/generate.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync } from './sync.ts';
import {
  call,
  categoryIds,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

async function sync(schoolId: string, batch: Batch) {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-scope-'));
  await writeBatch('wonde', dir, batch);
  const run = await runSync(
    asSystem(t.services, schoolId, 'mis_sync'),
    () => readMisFolder('wonde', dir),
    {
      source: 'cli',
      format: 'wonde',
    },
  );
  expect(run.status).toBe('applied');
}

describe('own teaching groups', () => {
  it('a class teacher sees a record about a pupil in their class, until the MIS moves the pupil out', async () => {
    const school = generateSchool({ pupils: 20, staff: 12, groups: 40, days: 1, seed: 5 });
    const schoolId = await makeSchool(t.services);
    // A teaching group and the member of staff who teaches it.
    const teaches = school.memberships.find(
      (m) => m.memberKind === 'staff' && m.groupMisId.startsWith('GT'),
    )!;
    const staff = school.staff.find((s) => s.misId === teaches.memberMisId)!;
    const theirGroups = new Set(
      school.memberships
        .filter((m) => m.memberKind === 'staff' && m.memberMisId === staff.misId)
        .map((m) => m.groupMisId),
    );
    // A pupil in that class whose registration group this teacher does not hold.
    const pupilMis = school.memberships.find(
      (m) =>
        m.memberKind === 'pupil' &&
        m.groupMisId === teaches.groupMisId &&
        !school.memberships.some(
          (x) =>
            x.memberKind === 'pupil' &&
            x.memberMisId === m.memberMisId &&
            x.groupMisId.startsWith('GR') &&
            theirGroups.has(x.groupMisId),
        ),
    )!.memberMisId;

    const teacherUser = await makeUser(t.services, schoolId, 'teacher', 'Class Teacher');
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE users SET email = $2 WHERE id = $1', [teacherUser.id, staff.email]),
    );
    const teacher = { ...teacherUser, email: staff.email! };
    await sync(schoolId, fullBatch(school));

    const [pupil] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ id: string }>('SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2', [
        schoolId,
        pupilMis,
      ]),
    );
    const [category] = (await categoryIds(t.services, schoolId)).filter((c) => !c.restricted);
    const author = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'));
    const logged = await call(t.app, author, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil!.id, role: 'subject' }],
      categoryIds: [category!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'Fell asleep in class again.',
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const concernId = logged.json<{ id: string }>().id;

    const session = await signIn(t.app, teacher, { elevated: true });
    const seen = await call(t.app, session, 'GET', `/api/concerns/${concernId}`);
    expect(seen.statusCode, seen.body).toBe(200);
    const listed = await call(t.app, session, 'GET', '/api/concerns');
    expect(listed.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(concernId);

    // The MIS moves the pupil out of that class: the teacher no longer sees the record.
    await sync(schoolId, {
      ...fullBatch(school),
      memberships: school.memberships.filter(
        (m) => !(m.memberMisId === pupilMis && m.groupMisId === teaches.groupMisId),
      ),
    });
    const after = await signIn(t.app, teacher, { elevated: true });
    expect((await call(t.app, after, 'GET', `/api/concerns/${concernId}`)).statusCode).toBe(404);
    const relisted = await call(t.app, after, 'GET', '/api/concerns');
    expect(relisted.json<{ items: { id: string }[] }>().items.map((i) => i.id)).not.toContain(
      concernId,
    );
  });
});
