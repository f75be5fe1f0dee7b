// The tamper-evident audit trail: entries chain in order; verifyAudit passes an intact chain and
// names the first broken entry when a row is altered, deleted (middle or end) or reordered
// directly in the database; the application role can neither update nor delete entries; and a
// request whose audit entry cannot be written fails with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { inSchool, PLATFORM_SCHOOL_ID, unsafeAsOwner } from '../db/tenancy.ts';
import {
  appendAudit,
  appendAuditEntries,
  canonicalJson,
  entryHash,
  GENESIS,
  type AuditRow,
} from './chain.ts';
import { verifyAudit } from './verify.ts';
import type { AuditEvent } from './catalogue.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t.close());

const operator = { actorId: null, actorLabel: 'audit test', ip: '192.0.2.1', userAgent: 'vitest' };

/** A school whose chain holds `school.created` and then n more entries, appended as the app. */
async function schoolWithChain(n: number): Promise<string> {
  const schoolId = await makeSchool(t.services);
  for (let i = 0; i < n; i++) {
    await inSchool(t.services.db, schoolId, (tx) =>
      // The chain hashes whatever details an entry holds; the catalogue's types are checked where
      // events are written, so this raw entry goes around them.
      appendAudit(tx, schoolId, operator, {
        action: 'concern.viewed',
        targetType: 'concern',
        targetId: `target-${i}`,
        details: { i, note: 'ids and counts only' },
      } as unknown as AuditEvent),
    );
  }
  return schoolId;
}

const entries = (schoolId: string) =>
  unsafeAsOwner(t.services.db, (tx) =>
    tx.query<AuditRow>('SELECT * FROM audit_events WHERE school_id = $1 ORDER BY seq', [schoolId]),
  );

/** Exactly one break, at the given entry, with a reason a person can read. */
function expectOneBreak(
  breaks: { schoolId: string; seq: number; problem: string }[],
  schoolId: string,
  seq: number,
  problem: RegExp,
) {
  expect(breaks.map((b) => ({ schoolId: b.schoolId, seq: b.seq }))).toEqual([{ schoolId, seq }]);
  expect(breaks[0]?.problem).toMatch(problem);
}

const asOwner = (sql: string, params: unknown[]) =>
  unsafeAsOwner(t.services.db, (tx) => tx.query(sql, params));

describe('the audit chain', () => {
  it('appends in order, each entry linked to the one before, and verifies intact', async () => {
    const schoolId = await schoolWithChain(5);
    const rows = await entries(schoolId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows[0]!.action).toBe('school.created');
    let prev = GENESIS;
    for (const r of rows) {
      expect(Buffer.from(r.prev_hash).equals(prev)).toBe(true);
      expect(entryHash(prev, r).equals(Buffer.from(r.hash))).toBe(true);
      prev = Buffer.from(r.hash);
    }
    expect(rows[3]).toMatchObject({
      actor_label: 'audit test',
      ip: '192.0.2.1',
      user_agent: 'vitest',
      details: { i: 2, note: 'ids and counts only' },
    });
    const [head] = await asOwner('SELECT seq, hash FROM audit_heads WHERE school_id = $1', [
      schoolId,
    ]);
    expect(head!.seq).toBe(6);
    expect(Buffer.from(head!.hash as Buffer).equals(prev)).toBe(true);
    expect(await verifyAudit(t.services.db, schoolId)).toEqual({
      chains: 1,
      entries: 6,
      breaks: [],
    });
  });

  it('hashes in the database exactly as verify recomputes, whatever the entries hold', async () => {
    // lantern_append_audit (migration 0024) hashes the canonical JSON made in chain.ts; verify.ts
    // recomputes it in Node. Text that encodes differently in careless hands, several entries in
    // one append, and the platform's own chain must all verify.
    const schoolId = await makeSchool(t.services);
    const odd = [
      'école, naïve “quotes” ’ — 🙂 \u2028 \u2029',
      'back\\slash "quoted" {"seq":1,"targetId":"x"} NULL',
      '',
    ];
    const awkward = { ...operator, actorLabel: 'Zoë O’Brien 🙂', userAgent: 'UA "x" ,"seq":0,' };
    await inSchool(t.services.db, schoolId, (tx) =>
      appendAuditEntries(
        tx,
        schoolId,
        odd.map((text, i) => ({
          actor: awkward,
          event: {
            action: 'concern.viewed',
            targetType: 'concern',
            targetId: `t-${i}`,
            details: { text, nested: { seq: i, list: [text, null, 1.5] } },
          } as unknown as AuditEvent,
        })),
      ),
    );
    expect(await verifyAudit(t.services.db, schoolId)).toMatchObject({ entries: 4, breaks: [] });
    await unsafeAsOwner(t.services.db, (tx) =>
      appendAudit(tx, PLATFORM_SCHOOL_ID, awkward, {
        action: 'concern.viewed',
        details: { text: odd[0] },
      } as unknown as AuditEvent),
    );
    expect((await verifyAudit(t.services.db, PLATFORM_SCHOOL_ID)).breaks).toEqual([]);
  });

  it('canonical JSON sorts keys at every depth, so equal content always hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: null, e: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[2,{"e":"x","f":null}]},"b":1}',
    );
  });

  it('detects an altered entry and names it', async () => {
    const schoolId = await schoolWithChain(5);
    await asOwner(
      `UPDATE audit_events SET details = '{"i": 99, "note": "ids and counts only"}'::jsonb
       WHERE school_id = $1 AND seq = 4`,
      [schoolId],
    );
    const r = await verifyAudit(t.services.db, schoolId);
    expectOneBreak(r.breaks, schoolId, 4, /altered/);
  });

  it('detects an altered actor, time or address, not only details', async () => {
    for (const change of [
      `actor_label = 'someone else'`,
      `at = at + interval '1 second'`,
      `ip = '198.51.100.7'`,
      `action = 'concern.listed'`,
    ]) {
      const schoolId = await schoolWithChain(3);
      await asOwner(`UPDATE audit_events SET ${change} WHERE school_id = $1 AND seq = 2`, [
        schoolId,
      ]);
      const r = await verifyAudit(t.services.db, schoolId);
      expect(
        r.breaks.map((b) => b.seq),
        change,
      ).toEqual([2]);
    }
  });

  it('detects a deleted middle entry', async () => {
    const schoolId = await schoolWithChain(5);
    await asOwner('DELETE FROM audit_events WHERE school_id = $1 AND seq = 3', [schoolId]);
    const r = await verifyAudit(t.services.db, schoolId);
    expectOneBreak(r.breaks, schoolId, 3, /entry 3 is missing/);
  });

  it('detects a deleted last entry', async () => {
    const schoolId = await schoolWithChain(5);
    await asOwner('DELETE FROM audit_events WHERE school_id = $1 AND seq = 6', [schoolId]);
    const r = await verifyAudit(t.services.db, schoolId);
    expectOneBreak(r.breaks, schoolId, 6, /deleted from the end/);
  });

  it('detects reordered entries (two entries’ sequence numbers swapped)', async () => {
    const schoolId = await schoolWithChain(5);
    await unsafeAsOwner(t.services.db, async (tx) => {
      const swap = (from: number, to: number) =>
        tx.query('UPDATE audit_events SET seq = $3 WHERE school_id = $1 AND seq = $2', [
          schoolId,
          from,
          to,
        ]);
      await swap(2, 1_000_000);
      await swap(4, 2);
      await swap(1_000_000, 4);
    });
    const r = await verifyAudit(t.services.db, schoolId);
    expectOneBreak(r.breaks, schoolId, 2, /reordered/);
  });

  it('reports each broken school once, and leaves intact schools out of the list', async () => {
    const intact = await schoolWithChain(2);
    const broken = await schoolWithChain(2);
    await asOwner(`UPDATE audit_events SET target_id = 'x' WHERE school_id = $1 AND seq = 2`, [
      broken,
    ]);
    expect((await verifyAudit(t.services.db, intact)).breaks).toEqual([]);
    expect((await verifyAudit(t.services.db, broken)).breaks.map((b) => b.seq)).toEqual([2]);
  });
});

describe('the application role and the audit trail', () => {
  it('may insert and read entries but never update or delete them', async () => {
    const schoolId = await schoolWithChain(1);
    const seen = await inSchool(t.services.db, schoolId, (tx) =>
      tx.query<{ seq: number }>('SELECT seq FROM audit_events ORDER BY seq'),
    );
    expect(seen.map((r) => r.seq)).toEqual([1, 2]);
    await expect(
      inSchool(t.services.db, schoolId, (tx) =>
        tx.query(`UPDATE audit_events SET actor_label = 'forged' WHERE seq = 1`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      inSchool(t.services.db, schoolId, (tx) => tx.query('DELETE FROM audit_events WHERE seq = 2')),
    ).rejects.toThrow(/permission denied/);
    await expect(
      inSchool(t.services.db, schoolId, (tx) => tx.query('TRUNCATE audit_events')),
    ).rejects.toThrow(/permission denied/);
    expect((await entries(schoolId)).map((r) => r.actor_label)).toEqual(['test', 'audit test']);
    expect((await verifyAudit(t.services.db, schoolId)).breaks).toEqual([]);
  });

  it('fails the whole request, writing nothing, when its audit entry cannot be written', async () => {
    const schoolId = await makeSchool(t.services);
    const teacher = await makeUser(t.services, schoolId, 'teacher');
    const pupil = await makePupil(t.services, schoolId);
    const [cat] = await categoryIds(t.services, schoolId);
    const session = await signIn(t.app, teacher);
    const before = await entries(schoolId);

    // A real failure of the audit write: the chain head falls one entry behind the entries (as
    // after a bad restore of audit_heads), so the next append reuses a sequence number and hits
    // audit_events' primary key. Nothing else about the request is wrong; it must still fail.
    await asOwner('UPDATE audit_heads SET seq = seq - 1 WHERE school_id = $1', [schoolId]);
    const payload = {
      pupils: [{ pupilId: pupil.id, role: 'subject' }],
      categoryIds: [cat!.id],
      happenedAt: new Date(Date.now() - 60_000).toISOString(),
      body: 'This must not be saved without its audit entry.',
    };
    const res = await call(t.app, session, 'POST', '/api/concerns', payload);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/audit_events|duplicate key|\.ts:/);

    const counts = await unsafeAsOwner(t.services.db, (tx) =>
      tx.query<{ concerns: number; pupils: number; categories: number }>(
        `SELECT (SELECT count(*)::int FROM concerns WHERE school_id = $1) AS concerns,
                (SELECT count(*)::int FROM concern_pupils WHERE school_id = $1) AS pupils,
                (SELECT count(*)::int FROM concern_categories WHERE school_id = $1) AS categories`,
        [schoolId],
      ),
    );
    expect(counts[0]).toEqual({ concerns: 0, pupils: 0, categories: 0 });
    const after = await entries(schoolId);
    expect(after.map((r) => r.seq)).toEqual(before.map((r) => r.seq));
    expect(after.filter((r) => r.action === 'concern.created')).toEqual([]);

    // The control: with the head put right, the very same request succeeds.
    await asOwner('UPDATE audit_heads SET seq = seq + 1 WHERE school_id = $1', [schoolId]);
    expect((await call(t.app, session, 'POST', '/api/concerns', payload)).statusCode).toBe(201);
    expect((await verifyAudit(t.services.db, schoolId)).breaks).toEqual([]);
  });
});
