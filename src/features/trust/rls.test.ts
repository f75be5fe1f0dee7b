// The trust's second wall (issue 20), with every application check removed: the data layer is
// called directly in a trust member's lane (tenancy.ts inTrust, keyed by a real session's hashed
// token), and PostgreSQL's row-level security alone decides. A trust member reads no pupil or
// concern row of any school without a grant; with a live grant, only that school's; with the
// grant expired, revoked or another member's, none again; and no figures of a school that does not
// share (the snapshot row still there: the policy, not a clean-up, hides it). On PostgreSQL the
// connection logs in as a role that owns nothing (login-role.test.ts); on the embedded engine
// (PGlite) the same queries run after `SET LOCAL ROLE lantern_app`, so the policies are proved
// there too — but PGlite's session is the bootstrap superuser, so an injected `RESET ROLE` could
// leave them, which only PostgreSQL's login role rules out (login-role.test.ts proves that limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTrust, inTrustAs, unsafeAsOwner } from '../../platform/db/tenancy.ts';
import { asSystem } from '../../core/context.ts';
import { makePupil, makeUser, signIn, testApp, type TestApp } from '../../test/harness.ts';
import { createTrustSession, hashTrustToken } from './sessions.ts';
import { computeSnapshot } from './figures.ts';
import { logConcerns, makeTrust, makeTrustMember, type TestTrustMember } from './trust-test-kit.ts';

let t: TestApp;
let trust: { trustId: string; schoolIds: string[] };
let other: { trustId: string; schoolIds: string[] };
let member: TestTrustMember;
let colleague: TestTrustMember;
let outsider: TestTrustMember;
let hash: Buffer;
let outsiderHash: Buffer;
let pupilA: string;
let pupilB: string;
let dslA: string;

async function sessionHash(
  m: TestTrustMember,
  stage: 'full' | 'second_factor' | 'enrol' = 'full',
  now = new Date(),
): Promise<Buffer> {
  const s = await inTrustAs(t.services.db, { trustId: m.trustId, memberId: m.id }, (q) =>
    createTrustSession(q, { trustId: m.trustId, memberId: m.id, stage, now }),
  );
  return hashTrustToken(s.token);
}

async function grant(
  schoolId: string,
  to: TestTrustMember,
  o: { pupilId?: string; grantedAt?: Date; expiresAt?: Date } = {},
): Promise<string> {
  const at = o.grantedAt ?? new Date();
  const [row] = await unsafeAsOwner(t.services.db, (q) =>
    q.query<{ id: string }>(
      `INSERT INTO trust_grants (school_id, trust_id, member_id, scope, pupil_id, reason_sealed,
         granted_by, granted_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, '\\x00', $6, $7, $8) RETURNING id`,
      [
        schoolId,
        to.trustId,
        to.id,
        o.pupilId ? 'pupil' : 'school',
        o.pupilId ?? null,
        dslA,
        at,
        o.expiresAt ?? new Date(at.getTime() + 86_400_000),
      ],
    ),
  );
  return row!.id;
}

/** Every pupil, concern and snapshot row the lane can see, with no filter of ours. */
const seen = (h: Buffer, grantId?: string) =>
  inTrust(
    t.services.db,
    h,
    async (q) => ({
      pupils: (await q.query<{ school_id: string }>('SELECT school_id FROM pupils')).map(
        (r) => r.school_id,
      ),
      concerns: (await q.query('SELECT id FROM concerns')).length,
      snapshots: (
        await q.query<{ school_id: string }>('SELECT school_id FROM trust_figure_snapshots')
      ).map((r) => r.school_id),
    }),
    grantId,
  );

beforeAll(async () => {
  t = await testApp({ config: { logLevel: 'error' } });
  trust = await makeTrust(t, 2);
  other = await makeTrust(t, 1);
  member = await makeTrustMember(t, trust.trustId);
  colleague = await makeTrustMember(t, trust.trustId, 'trust_executive');
  outsider = await makeTrustMember(t, other.trustId);
  const [a, b] = trust.schoolIds as [string, string];
  const dsl = await makeUser(t.services, a, 'dsl');
  dslA = dsl.id;
  const teacherB = await makeUser(t.services, b, 'dsl');
  pupilA = (await makePupil(t.services, a)).id;
  pupilB = (await makePupil(t.services, b)).id;
  await logConcerns(t, await signIn(t.app, dsl, { elevated: true }), a, pupilA, 2);
  await logConcerns(t, await signIn(t.app, teacherB, { elevated: true }), b, pupilB, 2);
  // Both schools share and compute their snapshot; then school B stops sharing.
  for (const [i, id] of [a, b].entries()) {
    await asSystem(t.services, id, 'scheduled').tx(async (s) => {
      await s.q(
        `INSERT INTO trust_sharing (school_id, trust_id, since, switched_on_by)
         VALUES ($1, $2, now(), $3)`,
        [id, trust.trustId, i === 0 ? dsl.id : teacherB.id],
      );
      expect(await computeSnapshot(s)).toBe(1);
    });
  }
  await asSystem(t.services, b, 'scheduled').tx((s) =>
    s.q('DELETE FROM trust_sharing WHERE school_id = $1', [b]),
  );
  hash = await sessionHash(member);
  outsiderHash = await sessionHash(outsider);
}, 120_000);
afterAll(async () => t.close());

describe('a trust member with application checks removed', () => {
  it('reads no pupil or concern row of any school without a grant', async () => {
    const s = await seen(hash);
    expect(s.pupils).toEqual([]);
    expect(s.concerns).toBe(0);
    // The owner sees the rows are there.
    const [n] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>('SELECT count(*)::int AS n FROM concerns WHERE school_id = ANY($1)', [
        trust.schoolIds,
      ]),
    );
    expect(n!.n).toBe(4);
  });

  it('reads the figures of the sharing school only; the non-sharing one is hidden by the policy', async () => {
    const s = await seen(hash);
    expect(s.snapshots).toEqual([trust.schoolIds[0]]);
    const [rows] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM trust_figure_snapshots WHERE school_id = ANY($1)',
        [trust.schoolIds],
      ),
    );
    expect(rows!.n).toBe(2); // school B's snapshot is still stored
  });

  it('no stored figure is a count from 1 to 4 (each school has 2 records): only "<5" and "[c]"', async () => {
    const bodies = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ body: unknown }>(
        'SELECT body FROM trust_figure_snapshots WHERE school_id = ANY($1)',
        [trust.schoolIds],
      ),
    );
    const values: unknown[] = [];
    const walk = (x: unknown, key = ''): void => {
      if (Array.isArray(x)) x.forEach((y) => walk(y));
      else if (x && typeof x === 'object')
        for (const [k, v] of Object.entries(x as Record<string, unknown>)) walk(v, k);
      else if (key === 'value' || key === 'total') values.push(x);
    };
    for (const b of bodies) walk(typeof b.body === 'string' ? JSON.parse(b.body) : b.body);
    expect(values.length).toBeGreaterThan(10);
    expect(values).toContain('<5');
    expect(values.filter((v) => typeof v === 'number' && v >= 1 && v <= 4)).toEqual([]);
  });

  it('a member of another trust reads none of these figures', async () => {
    const s = await seen(outsiderHash);
    expect(s.snapshots).toEqual([]);
    expect(s.pupils).toEqual([]);
  });

  it('with a live grant reads that school only; not with a grant id that does not exist', async () => {
    const g = await grant(trust.schoolIds[0]!, member, { pupilId: pupilA });
    const s = await seen(hash, g);
    expect(new Set(s.pupils)).toEqual(new Set([trust.schoolIds[0]]));
    expect(s.concerns).toBe(2);
    expect(s.pupils).not.toContain(trust.schoolIds[1]);
    const none = await seen(hash, '00000000-0000-4000-8000-000000000001');
    expect(none.pupils).toEqual([]);
    expect(none.concerns).toBe(0);
  });

  it('reads nothing with another member’s grant, or from another trust’s session', async () => {
    const g = await grant(trust.schoolIds[0]!, colleague, { pupilId: pupilA });
    expect((await seen(hash, g)).pupils).toEqual([]);
    expect((await seen(outsiderHash, g)).pupils).toEqual([]);
  });

  it('reads nothing once the grant has expired or been revoked', async () => {
    const expired = await grant(trust.schoolIds[0]!, member, {
      grantedAt: new Date(Date.now() - 3 * 86_400_000),
      expiresAt: new Date(Date.now() - 60_000),
    });
    const e = await seen(hash, expired);
    expect(e.pupils).toEqual([]);
    expect(e.concerns).toBe(0);
    const revoked = await grant(trust.schoolIds[0]!, member);
    expect((await seen(hash, revoked)).concerns).toBe(2);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE trust_grants SET revoked_at = now(), revoked_by = $2 WHERE id = $1', [
        revoked,
        dslA,
      ]),
    );
    const r = await seen(hash, revoked);
    expect(r.pupils).toEqual([]);
    expect(r.concerns).toBe(0);
  });

  it('reads nothing once the session has ended, even with a live grant', async () => {
    const g = await grant(trust.schoolIds[0]!, member);
    const h = await sessionHash(member);
    expect((await seen(h, g)).concerns).toBe(2);
    await unsafeAsOwner(t.services.db, (q) =>
      q.query('UPDATE trust_sessions SET ended_at = now() WHERE token_hash = $1', [h]),
    );
    const s = await seen(h, g);
    expect(s.concerns).toBe(0);
    expect(s.snapshots).toEqual([]);
  });

  it('cannot write a snapshot, a sharing row or a grant for a school', async () => {
    await expect(
      inTrust(t.services.db, hash, (q) =>
        q.query(
          `INSERT INTO trust_sharing (school_id, trust_id, since, switched_on_by)
           VALUES ($1, $2, now(), $3)`,
          [trust.schoolIds[1], trust.trustId, dslA],
        ),
      ),
    ).rejects.toThrow(/row-level security|permission denied/);
    await expect(
      inTrust(t.services.db, hash, (q) =>
        q.query(`UPDATE trust_figure_snapshots SET body = '[]'::jsonb RETURNING school_id`),
      ).then((rows) => rows.length),
    ).resolves.toBe(0);
  });

  it('reads and changes none of a colleague’s credentials or sessions (same trust)', async () => {
    const colleagueHash = await sessionHash(colleague);
    const mine = await inTrust(t.services.db, hash, async (q) => ({
      credentials: (
        await q.query<{ member_id: string }>('SELECT member_id FROM trust_member_credentials')
      ).map((r) => r.member_id),
      sessions: (await q.query<{ member_id: string }>('SELECT member_id FROM trust_sessions')).map(
        (r) => r.member_id,
      ),
      ended: (
        await q.query(
          'UPDATE trust_sessions SET ended_at = now() WHERE member_id = $1 RETURNING id',
          [colleague.id],
        )
      ).length,
    }));
    expect(mine.credentials).toEqual([member.id]);
    expect(new Set(mine.sessions)).toEqual(new Set([member.id]));
    expect(mine.ended).toBe(0);
    // The colleague's session is still live: their own lane still reads the figures.
    expect((await seen(colleagueHash)).snapshots).toEqual([trust.schoolIds[0]]);
  });

  it('cannot change a session’s stage, token or expiry (only its times and end)', async () => {
    const pending = await sessionHash(member, 'second_factor');
    for (const set of [
      "stage = 'full'",
      "token_hash = '\\x00'::bytea",
      "expires_at = now() + interval '1 day'",
      "csrf_token = 'x'",
    ]) {
      await expect(
        inTrust(t.services.db, hash, (q) =>
          q.query(`UPDATE trust_sessions SET ${set} WHERE token_hash = $1`, [pending]),
        ),
      ).rejects.toThrow(/permission denied/);
    }
    const [row] = await unsafeAsOwner(t.services.db, (q) =>
      q.query<{ stage: string }>('SELECT stage FROM trust_sessions WHERE token_hash = $1', [
        pending,
      ]),
    );
    expect(row!.stage).toBe('second_factor');
  });

  it('a session waiting for its code, or setting one up, or past its expiry, reads nothing of the trust', async () => {
    const g = await grant(trust.schoolIds[0]!, member);
    const old = new Date(Date.now() - 13 * 3_600_000); // a full session 12 hours long, ended by time
    for (const h of [
      await sessionHash(member, 'second_factor'),
      await sessionHash(member, 'enrol'),
      await sessionHash(member, 'full', old),
    ]) {
      const s = await seen(h, g);
      expect(s).toEqual({ pupils: [], concerns: 0, snapshots: [] });
      const rest = await inTrust(t.services.db, h, async (q) => ({
        members: (await q.query('SELECT id FROM trust_members')).length,
        grants: (await q.query('SELECT id FROM trust_grants')).length,
        sharing: (await q.query('SELECT school_id FROM trust_sharing')).length,
        trust: await q.query<{ t: string | null }>('SELECT lantern_current_trust()::text AS t'),
      }));
      expect(rest).toEqual({ members: 0, grants: 0, sharing: 0, trust: [{ t: null }] });
    }
    // The same grant read through the full session: the rows are there.
    expect((await seen(hash, g)).concerns).toBe(2);
  });

  it('a grant of 30 × 24 hours is allowed over the March clock change (in London time)', async () => {
    const granted = new Date('2027-03-15T12:00:00Z');
    const expires = new Date(granted.getTime() + 720 * 3_600_000);
    const [row] = await unsafeAsOwner(t.services.db, async (q) => {
      await q.query(`SET LOCAL TimeZone = 'Europe/London'`);
      return q.query<{ id: string }>(
        `INSERT INTO trust_grants (school_id, trust_id, member_id, scope, reason_sealed,
           granted_by, granted_at, expires_at)
         VALUES ($1, $2, $3, 'school', '\\x00', $4, $5, $6) RETURNING id`,
        [trust.schoolIds[0], member.trustId, member.id, dslA, granted, expires],
      );
    });
    expect(row!.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      unsafeAsOwner(t.services.db, (q) =>
        q.query(
          `INSERT INTO trust_grants (school_id, trust_id, member_id, scope, reason_sealed,
             granted_by, granted_at, expires_at)
           VALUES ($1, $2, $3, 'school', '\\x00', $4, $5, $6)`,
          [
            trust.schoolIds[0],
            member.trustId,
            member.id,
            dslA,
            granted,
            new Date(expires.getTime() + 1000),
          ],
        ),
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
