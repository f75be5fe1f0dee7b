// Issue 13, review findings, on a real database: the guard plans deltas too (a changeset deleting
// every pupil is held, recorded as a delta); a delta leaves links and memberships it does not name;
// a held run is applied only if the school has not changed since it was held, and a later full
// run supersedes it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullBatch, generateSchool, writeBatch } from './fixtures/generate.ts';
import { readMisFolder } from './formats/index.ts';
import { runSync, SyncRejected, type SyncResult } from './sync.ts';
import type { Snapshot } from './snapshot.ts';
import { pullAndSync } from './pull.ts';
import { asSystem } from '../../core/context.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import {
  call,
  makeSchool,
  makeUser,
  signIn,
  testApp,
  type Session,
  type TestApp,
} from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ config: { env: 'development' } });
});
afterAll(async () => t.close());

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query<T>(sql, params));
const door = (schoolId: string) => asSystem(t.services, schoolId, 'mis_sync');
const sync = (schoolId: string, snap: Snapshot): Promise<SyncResult> =>
  runSync(door(schoolId), snap, { source: 'cli' });

const onRoll = async (schoolId: string) =>
  (
    await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM pupils WHERE school_id = $1 AND archived_at IS NULL',
      [schoolId],
    )
  )[0]!.n;

/** A generated school written as Wonde files, imported in full; its snapshot kept for deltas. */
async function wondeSchool(
  seed: number,
  pupils = 30,
): Promise<{ id: string; snap: Snapshot; dir: string; school: ReturnType<typeof generateSchool> }> {
  const id = await makeSchool(t.services);
  const school = generateSchool({ pupils, staff: 4, groups: 12, days: 1, seed });
  const dir = await mkdtemp(join(tmpdir(), 'lantern-review-'));
  await writeBatch('wonde', dir, fullBatch(school));
  const snap = await readMisFolder('wonde', dir, {});
  expect((await sync(id, snap)).status).toBe('applied');
  return { id, snap, dir, school };
}

/** A delta holding only what is given (no marks). */
function delta(base: Snapshot, part: Partial<Snapshot>): Snapshot {
  return {
    ...base,
    kind: 'delta',
    pupils: [],
    contacts: [],
    staff: [],
    groups: [],
    memberships: [],
    attendanceCodes: [],
    deletions: [],
    restorations: [],
    nextCursor: null,
    attendanceMarks: async function* () {},
    ...part,
  };
}

async function adminOf(schoolId: string): Promise<Session> {
  return signIn(t.app, await makeUser(t.services, schoolId, 'school_admin'), { elevated: true });
}

describe('the guard plans deltas too', () => {
  it('a delta deleting every pupil is held (recorded as a delta), nothing applied', async () => {
    const { id, snap } = await wondeSchool(31);
    const run = await sync(
      id,
      delta(snap, {
        deletions: snap.pupils.map((p) => ({
          entity: 'pupil' as const,
          misId: p.misId,
          reason: 'deleted' as const,
          date: null,
        })),
      }),
    );
    expect(run.status).toBe('held');
    expect(run.error).toMatch(/^This delta would archive 30 of the 30 pupils on roll/);
    expect(await onRoll(id)).toBe(30);
    const [row] = await q<{ kind: string; status: string }>(
      'SELECT kind, status FROM mis_sync_runs WHERE id = $1',
      [run.runId],
    );
    expect(row).toEqual({ kind: 'delta', status: 'held' });
  });

  it('a delta of leavers for every member of staff is held; a few leavers are applied', async () => {
    const { id, snap } = await wondeSchool(32);
    const left = (misId: string) => ({
      entity: 'staff' as const,
      misId,
      reason: 'left' as const,
      date: null,
    });
    const all = await sync(id, delta(snap, { deletions: snap.staff.map((s) => left(s.misId)) }));
    expect(all.status).toBe('held');
    expect(all.error).toMatch(/all 4 members of staff/);
    const two = snap.pupils.slice(0, 2).map((p) => ({
      entity: 'pupil' as const,
      misId: p.misId,
      reason: 'left' as const,
      date: null,
    }));
    expect((await sync(id, delta(snap, { deletions: two }))).status).toBe('applied');
    expect(await onRoll(id)).toBe(28);
  });
});

describe('a delta leaves what it does not name', () => {
  it('a changed contact keeps links the delta does not state; a full run rewrites them', async () => {
    const { id, snap } = await wondeSchool(33);
    const contact = snap.contacts.find((c) => c.pupils.length > 0)!;
    const links = async () =>
      (
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM pupil_contacts pc JOIN contacts c ON c.id = pc.contact_id
           WHERE c.school_id = $1 AND c.mis_id = $2`,
          [id, contact.misId],
        )
      )[0]!.n;
    const before = await links();
    expect(before).toBe(contact.pupils.length);
    const changed = { ...contact, surname: `${contact.surname}-Changed`, pupils: [] };
    const run = await sync(id, delta(snap, { contacts: [changed] }));
    expect(run.status).toBe('applied');
    expect(await links()).toBe(before);
    // In a full run the contact's links are exactly those sent.
    const full = await sync(id, {
      ...snap,
      contacts: snap.contacts.map((c) =>
        c.misId === contact.misId ? { ...changed, surname: `${contact.surname}-Again` } : c,
      ),
    });
    expect(full.status).toBe('applied');
    expect(await links()).toBe(0);
  });

  it('a delta naming one membership of a pupil leaves the pupil’s other groups', async () => {
    const { id, snap } = await wondeSchool(34);
    const counts = new Map<string, number>();
    for (const m of snap.memberships)
      if (m.memberKind === 'pupil') counts.set(m.memberMisId, (counts.get(m.memberMisId) ?? 0) + 1);
    const [pupil] = [...counts].find(([, n]) => n >= 2)!;
    const groupsOf = async () =>
      (
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM mis_group_members m JOIN pupils p ON p.id = m.member_id
           WHERE p.school_id = $1 AND p.mis_id = $2`,
          [id, pupil],
        )
      )[0]!.n;
    const before = await groupsOf();
    expect(before).toBe(counts.get(pupil));
    const one = snap.memberships.find((m) => m.memberMisId === pupil)!;
    expect((await sync(id, delta(snap, { memberships: [one] }))).status).toBe('applied');
    expect(await groupsOf()).toBe(before);
  });
});

describe('applying a held run is checked again', () => {
  async function heldCut(seed: number) {
    const s = await wondeSchool(seed);
    const cut = { ...s.snap, pupils: s.snap.pupils.slice(0, 20) };
    const held = await sync(s.id, cut);
    expect(held.status).toBe('held');
    return { ...s, held, admin: await adminOf(s.id) };
  }
  const apply = (admin: Session, runId: string) =>
    call(t.app, admin, 'POST', `/api/admin/mis/held/${runId}`, { decision: 'apply' });

  it('refused (409) once any run was applied after it was held; nothing archived', async () => {
    const { id, snap, held, admin } = await heldCut(35);
    const small = delta(snap, {
      contacts: [{ ...snap.contacts[0]!, surname: 'Later' }],
    });
    expect((await sync(id, small)).status).toBe('applied');
    const res = await apply(admin, held.runId);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.body).toContain(
      "the school's data has changed since this run was held; run the import again",
    );
    expect(await onRoll(id)).toBe(30);
    const [row] = await q<{ status: string }>('SELECT status FROM mis_sync_runs WHERE id = $1', [
      held.runId,
    ]);
    expect(row!.status).toBe('held');
  });

  it('refused (409) when it would now archive someone not shown when it was held', async () => {
    const { id, snap, held, admin } = await heldCut(36);
    // A pupil outside the held feed comes on roll by another way after the run was held.
    const extra = snap.pupils[25]!.misId;
    await q(`UPDATE pupils SET archived_at = now() WHERE school_id = $1 AND mis_id = $2`, [
      id,
      extra,
    ]);
    const res0 = await q<{ held: { pupilIds: string[] } }>(
      'SELECT held FROM mis_sync_runs WHERE id = $1',
      [held.runId],
    );
    const [p] = await q<{ id: string }>(
      'SELECT id FROM pupils WHERE school_id = $1 AND mis_id = $2',
      [id, extra],
    );
    await q(
      `UPDATE mis_sync_runs SET held = jsonb_set(held, '{pupilIds}', $2::jsonb) WHERE id = $1`,
      [held.runId, JSON.stringify(res0[0]!.held.pupilIds.filter((x) => x !== p!.id))],
    );
    await q(`UPDATE pupils SET archived_at = NULL WHERE school_id = $1 AND mis_id = $2`, [
      id,
      extra,
    ]);
    const res = await apply(admin, held.runId);
    expect(res.statusCode, res.body).toBe(409);
    expect(await onRoll(id)).toBe(30);
  });

  it('a later full run supersedes the undecided held run, which then cannot be applied', async () => {
    const { id, snap, held, admin } = await heldCut(37);
    expect((await sync(id, snap)).status).toBe('applied');
    const [row] = await q<{ status: string; feed: boolean }>(
      'SELECT status, held_feed IS NOT NULL AS feed FROM mis_sync_runs WHERE id = $1',
      [held.runId],
    );
    expect(row).toEqual({ status: 'superseded', feed: false });
    const res = await apply(admin, held.runId);
    expect(res.statusCode).toBe(409);
    const list = await call(t.app, admin, 'GET', '/api/admin/mis/held');
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
    expect(await onRoll(id)).toBe(30);
  });

  it('with nothing changed since, it is applied', async () => {
    const { id, held, admin } = await heldCut(38);
    const res = await apply(admin, held.runId);
    expect(res.statusCode, res.body).toBe(200);
    expect(await onRoll(id)).toBe(20);
  });
});

describe('SIMS: contacts optional, leavers dropped from contacts', () => {
  const published = join(import.meta.dirname, 'fixtures', 'published', 'sims', 'pupils.txt');

  it('links to a leaver are dropped while reading; a later run without contacts.csv leaves contacts', async () => {
    const id = await makeSchool(t.services);
    const dir = await mkdtemp(join(tmpdir(), 'lantern-sims-contacts-'));
    await writeFile(join(dir, 'pupils.csv'), await readFile(published, 'utf8'));
    // 2043's Leaving Date (18/07/2024) has passed: that pupil is left out, and so are links to them.
    await writeFile(
      join(dir, 'contacts.csv'),
      [
        'Contact ID,Pupil MIS ID,Forename,Surname,Relationship',
        'C1,2041,Aoife,O’Neill,Mother',
        'C1,2043,Aoife,O’Neill,Aunt',
        'C2,2043,Sam,Brown,Father',
        'C3,2042,Ola,Zielińska,Mother',
      ].join('\r\n'),
    );
    const first = await runSync(door(id), () => readMisFolder('csv', dir, {}), {
      source: 'cli',
      format: 'csv',
    });
    expect(first.status).toBe('applied');
    const contacts = async () =>
      q<{ mis_id: string; archived: boolean; links: number }>(
        `SELECT c.mis_id, c.archived_at IS NOT NULL AS archived,
           (SELECT count(*)::int FROM pupil_contacts pc WHERE pc.contact_id = c.id) AS links
         FROM contacts c WHERE c.school_id = $1 ORDER BY c.mis_id`,
        [id],
      );
    const expected = [
      { mis_id: 'C1', archived: false, links: 1 },
      { mis_id: 'C3', archived: false, links: 1 },
    ];
    expect(await contacts()).toEqual(expected);
    // The next report is saved without its contacts: the contacts stay as they were.
    await rm(join(dir, 'contacts.csv'));
    const second = await runSync(door(id), () => readMisFolder('csv', dir, {}), {
      source: 'cli',
      format: 'csv',
    });
    expect(second.status).toBe('applied');
    expect(second.archived).toBe(0);
    expect(await contacts()).toEqual(expected);
  });
});

describe('SIMS encodings and heading rows', () => {
  const header = 'Person ID,UPN,Legal Surname,Forename,Year,DOB\r\n';
  async function simsDir(bytes: Buffer): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'lantern-sims-enc-'));
    await writeFile(join(dir, 'pupils.csv'), bytes);
    return dir;
  }
  const importCsv = (id: string, dir: string) =>
    runSync(door(id), () => readMisFolder('csv', dir, {}), { source: 'cli', format: 'csv' });

  it('Windows-1252 is named on the run and in the runs list', async () => {
    const id = await makeSchool(t.services);
    const row = Buffer.from('2041,C801000000001,O’Neill,Siobhán,Year 7,04/09/2013\r\n', 'latin1');
    row[row.indexOf('’'.charCodeAt(0) & 0xff)] = 0x92; // the right quote as Windows-1252 has it
    const dir = await simsDir(Buffer.concat([Buffer.from(header), row]));
    const run = await importCsv(id, dir);
    expect(run.status).toBe('applied');
    expect(run.details.encoding).toBe('Windows-1252');
    const [p] = await q<{ last_name: string; first_name: string }>(
      'SELECT last_name, first_name FROM pupils WHERE school_id = $1',
      [id],
    );
    expect(p).toEqual({ last_name: 'O’Neill', first_name: 'Siobhán' });
    const admin = await adminOf(id);
    const runs = await call(t.app, admin, 'GET', '/api/admin/mis/runs');
    expect(runs.json<{ items: { encoding: string | null }[] }>().items[0]!.encoding).toBe(
      'Windows-1252',
    );
    // A UTF-8 file says so too.
    const utf8 = await simsDir(
      Buffer.from(`${header}2042,C801000000002,Brown,Zoë,Year 8,17/03/2012\r\n`),
    );
    expect((await importCsv(await makeSchool(t.services), utf8)).details.encoding).toBe('UTF-8');
  });

  it('UTF-8 with a few invalid bytes is refused naming the offset, not read as Windows-1252', async () => {
    const id = await makeSchool(t.services);
    const good = Buffer.from(`${header}2041,C801000000001,Zieliński,Łukasz,Year 7,\r\n`);
    const bytes = Buffer.concat([
      good,
      Buffer.from([0x32, 0x30, 0xe9, 0x2c]),
      Buffer.from('x\r\n'),
    ]);
    const err = await importCsv(id, await simsDir(bytes)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncRejected);
    expect((err as SyncRejected).message).toBe(
      `pupils.csv: is UTF-8 but byte ${good.length + 2} is not (a damaged or mixed file?); save the report as UTF-8 CSV again`,
    );
    expect(await onRoll(id)).toBe(0);
  });

  it('a file without its heading row is refused without quoting the first pupil', async () => {
    const id = await makeSchool(t.services);
    const dir = await simsDir(
      Buffer.from('2041,C801000000001,Fairweather,Imogen,Year 7,04/09/2013\r\n'),
    );
    const err = await importCsv(id, dir).catch((e: unknown) => e);
    const message = (err as SyncRejected).message;
    expect(message).toMatch(/^pupils\.csv: the first line does not look like headings/);
    for (const word of ['2041', 'C801000000001', 'Fairweather', 'Imogen', '04/09/2013'])
      expect(message).not.toContain(word);
    const [row] = await q<{ error: string }>(
      `SELECT error FROM mis_sync_runs WHERE school_id = $1 AND status = 'rejected'`,
      [id],
    );
    expect(row!.error).not.toContain('Fairweather');
  });

  it('a synonym naming an inherited property (toString) is not a Lantern column', async () => {
    const id = await makeSchool(t.services);
    const res = await call(t.app, await adminOf(id), 'PUT', '/api/admin/mis/settings', {
      guardPercent: 10,
      fullDay: 0,
      csvSynonyms: { pupils: { 'Pupil Ref': 'toString' }, contacts: {} },
    });
    expect(res.statusCode, res.body).toBe(400);
  });
});

describe('held runs do not pile up', () => {
  let server: Server;
  let base = '';
  let calls = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      calls += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: [], meta: { pagination: { next: null } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1.0/schools/S1`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  const heldRuns = async (schoolId: string) =>
    q<{ id: string }>(`SELECT id FROM mis_sync_runs WHERE school_id = $1 AND status = 'held'`, [
      schoolId,
    ]);

  it('the same feed pushed twice is held once', async () => {
    const { id, snap } = await wondeSchool(39);
    const cut = { ...snap, pupils: snap.pupils.slice(0, 20) };
    const first = await runSync(door(id), cut, { source: 'push', batchId: 'b-1' });
    const second = await runSync(door(id), cut, { source: 'push', batchId: 'b-2' });
    expect(first.status).toBe('held');
    expect(second).toMatchObject({ status: 'held', runId: first.runId, duplicate: true });
    expect(await heldRuns(id)).toEqual([{ id: first.runId }]);
    // A different feed is a different decision.
    const other = await runSync(
      door(id),
      { ...snap, pupils: snap.pupils.slice(0, 19) },
      {
        source: 'push',
        batchId: 'b-3',
      },
    );
    expect(other.runId).not.toBe(first.runId);
    expect(await heldRuns(id)).toHaveLength(2);
  });

  it('while a run is held, the scheduled pull does not pull or hold again', async () => {
    const { id, snap } = await wondeSchool(40);
    const held = await sync(id, { ...snap, pupils: snap.pupils.slice(0, 20) });
    expect(held.status).toBe('held');
    const before = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM mis_sync_runs WHERE school_id = $1',
      [id],
    );
    calls = 0;
    const pulled = await pullAndSync(
      door(id),
      { baseUrl: base, token: 'tok' },
      { allowPrivate: true },
    );
    expect(pulled).toMatchObject({ status: 'held', runId: held.runId, duplicate: true });
    expect(pulled.error).toMatch(/^Nothing was pulled: an earlier run is held/);
    expect(calls).toBe(0);
    const after = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM mis_sync_runs WHERE school_id = $1',
      [id],
    );
    expect(after).toEqual(before);
    expect(await onRoll(id)).toBe(30);
  });
});
