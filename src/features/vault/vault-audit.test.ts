// Every download from the vault is audited: attachment.downloaded names who downloaded which file
// (and its concern), never the file's name or content; a refused download writes no entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  categoryIds,
  makePupil,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const CONTENT = 'Notes from the meeting with Mrs Halloran about the bruising.';

async function downloads(schoolId: string) {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<{ actor_id: string; target_type: string; target_id: string; details: unknown }>(
      `SELECT actor_id, target_type, target_id, details FROM audit_events
       WHERE school_id = $1 AND action = 'attachment.downloaded' ORDER BY seq`,
      [schoolId],
    ),
  );
}

describe('vault audit', () => {
  it('records attachment.downloaded with actor, file and concern, and no name or content', async () => {
    const schoolId = await makeSchool(t.services);
    const teacherUser = await makeUser(t.services, schoolId, 'teacher');
    const dslUser = await makeUser(t.services, schoolId, 'dsl');
    const pupil = await makePupil(t.services, schoolId);
    const [cat] = await categoryIds(t.services, schoolId);
    const teacher = await signIn(t.app, teacherUser);
    const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'A file follows.',
    });
    const concernId = logged.json<{ id: string }>().id;
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/concerns/${concernId}/attachments`,
      headers: {
        'x-file-name': 'halloran-meeting.txt',
        cookie: teacher.cookie,
        'x-csrf-token': teacher.csrf,
        'content-type': 'application/octet-stream',
      },
      payload: Buffer.from(CONTENT),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const fileId = uploaded.json<{ id: string }>().id;
    expect(await downloads(schoolId)).toEqual([]);

    // Someone who may not read the concern gets 404 and leaves no download entry.
    const other = await signIn(t.app, await makeUser(t.services, schoolId, 'teacher'), {
      elevated: true,
    });
    expect((await call(t.app, other, 'GET', `/api/attachments/${fileId}`)).statusCode).toBe(404);
    expect(await downloads(schoolId)).toEqual([]);

    const dsl = await signIn(t.app, dslUser, { elevated: true });
    const res = await call(t.app, dsl, 'GET', `/api/attachments/${fileId}`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.toString()).toBe(CONTENT);
    const events = await downloads(schoolId);
    expect(events).toEqual([
      {
        actor_id: dslUser.id,
        target_type: 'attachment',
        target_id: fileId,
        details: { concern: concernId },
      },
    ]);
    const text = JSON.stringify(events);
    for (const secret of ['halloran', 'Halloran', 'bruising', 'Notes from']) {
      expect(text).not.toContain(secret);
    }
  });
});
