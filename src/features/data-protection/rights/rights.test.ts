// The other rights, enforced (issue 17). A restriction puts a record out of reach of everyone but
// the DSL team — a headteacher and the author who could read it before now get 404, and lists skip
// it — and out of reports and transfer files, the DSL's own included, until it is lifted, which
// restores all of it. A rectification attaches the subject's statement, shown with the record and
// never rewriting it. Erasure and objection record their decision, of their own kind, once. Only
// the `data_protection` ability acts; every act and refusal is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText } from 'unpdf';
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
} from '../../../test/harness.ts';
import { unsafeAsOwner } from '../../../platform/db/tenancy.ts';
import { auditRows } from '../../identity/identity-test-kit.ts';
import { addDays } from '../../../shared/calendar.ts';
import type { RightsView } from '../../../shared/schemas/dp-rights.ts';
import type { ConcernView } from '../../../shared/schemas/concerns.ts';
import type { Report } from '../../../shared/schemas/reports.ts';
import type { TransferFilePreview } from '../../../shared/schemas/transfers.ts';
import { todayInEngland } from '../requests/load.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  t.services.mailer = { send: () => Promise.resolve() };
});
afterAll(async () => t.close());

const today = () => todayInEngland(new Date());

async function scene() {
  const schoolId = await makeSchool(t.services);
  const as = async (role: 'dpo' | 'dsl' | 'headteacher' | 'teacher') =>
    signIn(t.app, await makeUser(t.services, schoolId, role), { elevated: true });
  const headUser = await makeUser(t.services, schoolId, 'headteacher');
  const [dpo, dsl, head, teacher] = [
    await as('dpo'),
    await as('dsl'),
    await signIn(t.app, headUser, { elevated: true }),
    await as('teacher'),
  ];
  const pupil = await makePupil(t.services, schoolId);
  const category = (await categoryIds(t.services, schoolId)).find((c) => !c.restricted)!;
  const logged = await call(t.app, teacher, 'POST', '/api/concerns', {
    pupils: [{ pupilId: pupil.id, role: 'subject' }],
    categoryIds: [category.id],
    happenedAt: new Date(Date.now() - 60_000).toISOString(),
    body: 'Said a parent shouted at them.',
  });
  expect(logged.statusCode, logged.body).toBe(201);
  const concernId = logged.json<{ id: string }>().id;
  const request = async (kind: string) => {
    const res = await call(t.app, dpo, 'POST', '/api/data-protection/requests', {
      kind,
      requester: 'The pupil',
      relationship: 'self',
      channel: 'email',
      receivedOn: today(),
      subjects: [pupil.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  return { schoolId, dpo, dsl, head, headUser, teacher, pupil, concernId, request };
}

// One school for the file (building one is the slow part): the tests share its pupil and record,
// each on its own request, and the restriction test lifts what it restricts.
type Scene = Awaited<ReturnType<typeof scene>>;
let s: Scene;
beforeAll(async () => {
  s = await scene();
});

const read = (s: Session, id: string) => call(t.app, s, 'GET', `/api/concerns/${id}`);
const rights = async (s: Session, id: string) => {
  const res = await call(t.app, s, 'GET', `/api/data-protection/requests/${id}/rights`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<RightsView>();
};
const actions = async (schoolId: string) =>
  (await auditRows(t, schoolId)).map((r) => r.action).filter((a) => a.startsWith('dp.'));

describe('restriction of processing', () => {
  it('limits the record to the DSL team, out of reports and transfers, until lifted', async () => {
    const id = await s.request('restriction');
    const range = `from=${addDays(today(), -3)}&to=${today()}`;
    const counted = async () => {
      const res = await call(t.app, s.dsl, 'GET', `/api/reports?${range}`);
      expect(res.statusCode, res.body).toBe(200);
      const tbl = res.json<Report>().tables.find((x) => x.id === 'records_by_category')!;
      return tbl.total!.values[0];
    };
    const opened = await call(t.app, s.dsl, 'POST', '/api/transfers', {
      pupilId: s.pupil.id,
      leavingOn: addDays(today(), 5),
      destinationUrn: null,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const transfer = opened.json<{ id: string }>().id;
    // The file carries the record and the work about it (the action below), or neither.
    const fileHas = async () => {
      const res = await call(t.app, s.dsl, 'GET', `/api/transfers/${transfer}`);
      expect(res.statusCode, res.body).toBe(200);
      const ids = res.json<TransferFilePreview>().items.map((i) => i.id);
      const record = ids.includes(`concern:${s.concernId}`);
      expect(ids.includes(`action:${actionId}`)).toBe(record);
      return record;
    };
    const listed = async (who: Session) =>
      (await call(t.app, who, 'GET', '/api/concerns'))
        .json<{ items: { id: string }[] }>()
        .items.some((c) => c.id === s.concernId);

    // Work on the record (an action for the headteacher) is withheld with it.
    const action = await call(t.app, s.dsl, 'POST', '/api/actions', {
      pupilId: s.pupil.id,
      type: 'note',
      text: 'Speak to the family',
      assigneeId: s.headUser.id,
      concernId: s.concernId,
    });
    expect(action.statusCode, action.body).toBe(201);
    const actionId = action.json<{ id: string }>().id;
    const headSeesAction = async () =>
      (await call(t.app, s.head, 'GET', '/api/actions'))
        .json<{ items: { id: string }[] }>()
        .items.some((a) => a.id === actionId);

    // Before: the headteacher and the author read it; it is counted and in the file.
    expect(await headSeesAction()).toBe(true);
    expect((await read(s.head, s.concernId)).statusCode).toBe(200);
    expect((await read(s.teacher, s.concernId)).statusCode).toBe(200);
    expect(await listed(s.head)).toBe(true);
    expect(await counted()).toBe(1);
    expect(await fileHas()).toBe(true);
    expect((await rights(s.dpo, id)).records).toEqual([
      expect.objectContaining({ id: s.concernId, restricted: false }),
    ]);

    // Only the register's holder restricts; the DSL does not hold it.
    const byDsl = await call(
      t.app,
      s.dsl,
      'POST',
      `/api/data-protection/requests/${id}/restrictions`,
      {
        concernId: s.concernId,
      },
    );
    expect(byDsl.statusCode).toBe(403);
    const restrict = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${id}/restrictions`,
      {
        concernId: s.concernId,
      },
    );
    expect(restrict.statusCode, restrict.body).toBe(200);

    // During: 404 to anyone outside the DSL team, absent from their lists; the DSL still reads it,
    // but no report counts it and no transfer file carries it.
    expect((await read(s.head, s.concernId)).statusCode).toBe(404);
    expect((await read(s.teacher, s.concernId)).statusCode).toBe(404);
    expect(await listed(s.head)).toBe(false);
    expect(await headSeesAction()).toBe(false);
    expect((await read(s.dsl, s.concernId)).statusCode).toBe(200);
    expect(await listed(s.dsl)).toBe(true);
    expect(await counted()).toBe(0);
    expect(await fileHas()).toBe(false);
    expect((await rights(s.dpo, id)).records[0]!.restricted).toBe(true);
    const again = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${id}/restrictions`,
      {
        concernId: s.concernId,
      },
    );
    expect(again.statusCode).toBe(409);

    // The request cannot be closed while its restriction is in force…
    const close = await call(t.app, s.dpo, 'POST', `/api/data-protection/requests/${id}/close`, {
      outcome: 'completed',
      note: 'Done.',
    });
    expect(close.statusCode).toBe(409);
    expect(close.json<{ error: { code: string } }>().error.code).toBe('restriction_in_force');
    // …and one closed with it in force anyway (before that rule) can still lift it: never stuck.
    await unsafeAsOwner(t.services.db, (q) =>
      q.query(`UPDATE dp_requests SET status = 'completed' WHERE id = $1`, [id]),
    );
    expect((await rights(s.dpo, id)).allowed).toEqual(['lift']);

    // Lifted: everything as it was.
    const lift = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${id}/restrictions/lift`,
      {
        concernId: s.concernId,
      },
    );
    expect(lift.statusCode, lift.body).toBe(200);
    expect((await read(s.head, s.concernId)).statusCode).toBe(200);
    expect((await read(s.teacher, s.concernId)).statusCode).toBe(200);
    expect(await headSeesAction()).toBe(true);
    expect(await counted()).toBe(1);
    expect(await fileHas()).toBe(true);
    expect(await actions(s.schoolId)).toEqual(
      expect.arrayContaining(['dp.restriction_applied', 'dp.restriction_lifted', 'dp.refused']),
    );
  });

  it('touches only the subjects’ records, on a restriction request', async () => {
    const other = await s.request('rectification');
    const wrongKind = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${other}/restrictions`,
      {
        concernId: s.concernId,
      },
    );
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json<{ error: { code: string } }>().error.code).toBe('wrong_kind_of_request');
    const elsewhere = await scene();
    const id = await s.request('restriction');
    const notTheirs = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${id}/restrictions`,
      {
        concernId: elsewhere.concernId,
      },
    );
    expect(notTheirs.statusCode).toBe(404);
    expect((await read(elsewhere.head, elsewhere.concernId)).statusCode).toBe(200);
  });
});

describe('rectification, erasure and objection', () => {
  it('attaches the statement to the record, shown with it, the record unchanged', async () => {
    const id = await s.request('rectification');
    const attach = await call(
      t.app,
      s.dpo,
      'POST',
      `/api/data-protection/requests/${id}/statements`,
      {
        concernId: s.concernId,
        statement: 'It was my uncle, not my parent.',
      },
    );
    expect(attach.statusCode, attach.body).toBe(200);
    for (const who of [s.teacher, s.head, s.dsl]) {
      const view = (await read(who, s.concernId)).json<ConcernView>();
      expect(view.body).toBe('Said a parent shouted at them.');
      expect(view.version).toBe(1);
      expect(view.subjectStatements).toEqual([
        { statement: 'It was my uncle, not my parent.', recordedAt: expect.any(String) as unknown },
      ]);
    }
    expect((await rights(s.dpo, id)).statements).toHaveLength(1);
    expect(await actions(s.schoolId)).toContain('dp.statement_attached');
    // The view of the subject's records names each record it showed.
    const viewed = (await auditRows(t, s.schoolId)).filter((r) => r.action === 'dp.rights_viewed');
    expect(viewed.at(-1)!.details).toEqual({ records: 1, concerns: [s.concernId] });
  });

  it('sends the statement with its record: in the chronology PDF and the transfer file', async () => {
    const x = await scene();
    const id = await x.request('rectification');
    const statement = 'It was my uncle who shouted, not my parent.';
    const attach = await call(
      t.app,
      x.dpo,
      'POST',
      `/api/data-protection/requests/${id}/statements`,
      {
        concernId: x.concernId,
        statement,
      },
    );
    expect(attach.statusCode, attach.body).toBe(200);
    const pdf = await call(t.app, x.dsl, 'GET', `/api/pupils/${x.pupil.id}/chronology.pdf`);
    expect(pdf.statusCode).toBe(200);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Said a parent shouted at them.');
    expect(flat).toMatch(/subject.s statement \(rectification, recorded/);
    expect(flat).toContain(statement);
    const opened = await call(t.app, x.dsl, 'POST', '/api/transfers', {
      pupilId: x.pupil.id,
      leavingOn: addDays(today(), 5),
      destinationUrn: null,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const preview = await call(
      t.app,
      x.dsl,
      'GET',
      `/api/transfers/${opened.json<{ id: string }>().id}`,
    );
    const item = preview
      .json<TransferFilePreview>()
      .items.find((i) => i.id === `concern:${x.concernId}`)!;
    // The record's own text first, unchanged, then the statement.
    expect(item.text).toMatch(/^Said a parent shouted at them\.\n\nThe subject’s statement/);
    expect(item.text).toContain(statement);
  });

  it('records an erasure’s refusal and an objection’s balance, each once and of its kind', async () => {
    const refusedBefore = (await actions(s.schoolId)).filter((a) => a === 'dp.refused').length;
    const erasure = await s.request('erasure');
    const decide = (id: string, decision: string) =>
      call(t.app, s.dpo, 'POST', `/api/data-protection/requests/${id}/decision`, {
        decision,
        reasoning: 'Kept under KCSIE: a public task and a legal obligation to safeguard.',
      });
    expect((await decide(erasure, 'objection_upheld')).statusCode).toBe(400);
    expect((await decide(erasure, 'refused_public_task')).statusCode).toBe(200);
    expect((await decide(erasure, 'refused_legal_obligation')).statusCode).toBe(409);
    expect((await rights(s.dpo, erasure)).decision).toMatchObject({
      decision: 'refused_public_task',
    });
    const objection = await s.request('objection');
    expect((await decide(objection, 'objection_not_upheld')).statusCode).toBe(200);
    const log = await actions(s.schoolId);
    expect(log).toEqual(expect.arrayContaining(['dp.erasure_decided', 'dp.objection_decided']));
    expect(log.filter((a) => a === 'dp.refused')).toHaveLength(refusedBefore + 2);
  });
});
