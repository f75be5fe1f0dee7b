// Drafts (issue 14: nothing typed is ever lost): a member's unsaved writing kept on the server,
// sealed, read back only by its author, replaced as they type, deleted when saved or discarded,
// expired after 30 days; creation, reading back and discarding audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeSchool, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { DraftAnswer, DraftSaved } from '../../shared/schemas/drafts.ts';
import { DRAFT_LIFETIME_DAYS } from './service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const url = (form: string) => `/api/drafts/${form}`;

async function auditOf(schoolId: string) {
  return unsafeAsOwner(t.services.db, (q) =>
    q.query<{ action: string; actor_id: string; details: Record<string, unknown> }>(
      `SELECT action, actor_id, details FROM audit_events
       WHERE school_id = $1 AND action LIKE 'draft.%' ORDER BY seq`,
      [schoolId],
    ),
  );
}

describe('drafts', () => {
  it('keeps what a teacher typed, sealed, gives it back to them alone, and forgets it once saved', async () => {
    const schoolId = await makeSchool(t.services);
    const teacherUser = await makeUser(t.services, schoolId, 'teacher');
    const dslUser = await makeUser(t.services, schoolId, 'dsl');
    // A password alone is enough: a teacher logs a concern without a second factor.
    const teacher = await signIn(t.app, teacherUser);
    const dsl = await signIn(t.app, dslUser, { elevated: true });

    expect((await call(t.app, teacher, 'GET', url('concern-new'))).json<DraftAnswer>()).toEqual({
      draft: null,
    });
    const words = 'Draftword Ava said her uncle shouts at night';
    const first = await call(t.app, teacher, 'PUT', url('concern-new'), {
      fields: { body: words, where: 'Corridor', pupils: [{ id: 'x', name: 'Ava' }] },
    });
    expect(first.statusCode, first.body).toBe(200);
    const again = await call(t.app, teacher, 'PUT', url('concern-new'), {
      fields: { body: `${words} and she is scared`, where: 'Corridor' },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(Date.parse(again.json<DraftSaved>().savedAt)).toBeGreaterThan(0);

    const back = (await call(t.app, teacher, 'GET', url('concern-new'))).json<DraftAnswer>();
    expect(back.draft?.fields).toEqual({ body: `${words} and she is scared`, where: 'Corridor' });

    // Nobody else reads it: the DSL's draft of the same form is their own (none).
    expect((await call(t.app, dsl, 'GET', url('concern-new'))).json<DraftAnswer>()).toEqual({
      draft: null,
    });

    // One row, sealed: the words are not in the stored bytes.
    const rows = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ fields: Buffer; user_id: string }>(
        'SELECT fields, user_id FROM drafts WHERE school_id = $1',
        [schoolId],
      ),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.user_id).toBe(teacherUser.id);
    expect(rows[0]!.fields.includes(Buffer.from('Draftword'))).toBe(false);

    const saved = await call(t.app, teacher, 'POST', `${url('concern-new')}/discard`, {
      why: 'saved',
    });
    expect(saved.statusCode, saved.body).toBe(204);
    expect((await call(t.app, teacher, 'GET', url('concern-new'))).json<DraftAnswer>()).toEqual({
      draft: null,
    });

    // Created once (not once per save), read back once, discarded as saved; no words in details.
    const audit = await auditOf(schoolId);
    expect(audit.map((a) => a.action)).toEqual(['draft.saved', 'draft.opened', 'draft.discarded']);
    expect(audit.every((a) => a.actor_id === teacherUser.id)).toBe(true);
    expect(audit[2]!.details).toEqual({ form: 'concern-new', why: 'saved' });
    expect(JSON.stringify(audit)).not.toContain('Draftword');
  });

  it('refuses a draft too long to keep, or a form name that is not a key, and keeps the draft it had', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const s = await signIn(t.app, user);
    expect(
      (await call(t.app, s, 'PUT', url('concern-new'), { fields: { body: 'kept' } })).statusCode,
    ).toBe(200);
    const long = await call(t.app, s, 'PUT', url('concern-new'), {
      fields: { body: 'x'.repeat(70_000) },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ error: { message: string } }>().error.message).toMatch(/too long to keep/);
    const named = await call(t.app, s, 'PUT', url('Concern%20about%20Ava'), {
      fields: { body: 'x' },
    });
    expect(named.statusCode).toBe(400);
    const back = (await call(t.app, s, 'GET', url('concern-new'))).json<DraftAnswer>();
    expect(back.draft?.fields).toEqual({ body: 'kept' });
  });

  it('forgets a draft untouched for 30 days, and another school never sees one', async () => {
    const schoolId = await makeSchool(t.services);
    const user = await makeUser(t.services, schoolId, 'teacher');
    const s = await signIn(t.app, user);
    await call(t.app, s, 'PUT', url('conversation-old'), { fields: { text: 'old words' } });
    await call(t.app, s, 'PUT', url('concern-new'), { fields: { body: 'fresh words' } });
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(
        `UPDATE drafts SET saved_at = now() - make_interval(days => $2) WHERE school_id = $1 AND form = 'conversation-old'`,
        [schoolId, DRAFT_LIFETIME_DAYS + 1],
      ),
    );
    expect(
      (await call(t.app, s, 'GET', url('concern-new'))).json<DraftAnswer>().draft?.fields,
    ).toEqual({ body: 'fresh words' });
    expect((await call(t.app, s, 'GET', url('conversation-old'))).json<DraftAnswer>()).toEqual({
      draft: null,
    });
    const audit = await auditOf(schoolId);
    expect(audit.filter((a) => a.action === 'draft.discarded').map((a) => a.details)).toEqual([
      { form: 'conversation-old', why: 'expired' },
    ]);

    const otherSchool = await makeSchool(t.services);
    const stranger = await signIn(t.app, await makeUser(t.services, otherSchool, 'teacher'));
    expect((await call(t.app, stranger, 'GET', url('concern-new'))).json<DraftAnswer>()).toEqual({
      draft: null,
    });
    // Discarding what one does not have changes nothing and says so quietly.
    expect(
      (
        await call(t.app, stranger, 'POST', `${url('concern-new')}/discard`, {
          why: 'discarded',
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (await call(t.app, s, 'GET', url('concern-new'))).json<DraftAnswer>().draft?.fields,
    ).toEqual({ body: 'fresh words' });
  });

  it('gives back a draft written inside a records window only inside one', async () => {
    const schoolId = await makeSchool(t.services);
    const dslUser = await makeUser(t.services, schoolId, 'dsl');
    const elevated = await signIn(t.app, dslUser, { elevated: true });
    const form = `conversation-${randomUUID()}`;
    expect(
      (await call(t.app, elevated, 'PUT', url(form), { fields: { text: 'Phoned mum' } }))
        .statusCode,
    ).toBe(200);
    // A new concern written at the same time stays readable with a password alone.
    await call(t.app, elevated, 'PUT', url('concern-new'), { fields: { body: 'Ava said' } });
    expect(
      (await call(t.app, elevated, 'GET', url(form))).json<DraftAnswer>().draft?.fields,
    ).toEqual({ text: 'Phoned mum' });
    const flags = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ form: string; behind_second_factor: boolean }>(
        'SELECT form, behind_second_factor FROM drafts WHERE user_id = $1 ORDER BY form',
        [dslUser.id],
      ),
    );
    expect(flags).toEqual([
      { form: 'concern-new', behind_second_factor: false },
      { form, behind_second_factor: true },
    ]);
    // The records window ends.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE sessions SET elevated_until = NULL WHERE user_id = $1`, [dslUser.id]),
    );
    const refused = await call(t.app, elevated, 'GET', url(form));
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('step_up_required');
    expect(
      (await call(t.app, elevated, 'GET', url('concern-new'))).json<DraftAnswer>().draft?.fields,
    ).toEqual({ body: 'Ava said' });
  });
});
