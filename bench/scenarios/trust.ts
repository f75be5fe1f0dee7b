// A trust's view (issue 20) across S schools (default 10) of 2,000 pupils and N concerns each
// (default 20,000; the 200,000 a school with --n 200000, which takes long to load): every
// school shares; the refresh that computes each school's snapshot inside its own tenant (as the
// hourly job and the trust page's button do), then GET /api/trust/overview as a signed-in trust
// lead — the snapshot read, combined and suppressed across the schools — p50/p95.
import { loadavg } from 'node:os';
import { inSchool, unsafeAsOwner } from '../../src/platform/db/tenancy.ts';
import { createSchool, createTrust } from '../../src/features/administration/create-school.ts';
import { addTrustMember } from '../../src/features/trust/members.ts';
import { refreshSnapshots } from '../../src/features/trust/figures.ts';
import { newTotpSecret, totpCodeAt } from '../../src/features/identity/totp.ts';
import { bulkConcerns } from './records.ts';
import { runRollupFold } from '../../src/jobs/report-rollup.ts';
import {
  benchUser,
  cpuMark,
  cpuPer,
  load,
  ms,
  percentile,
  PASSWORD,
  startBench,
  type Engine,
} from '../lib.ts';

export async function trustBench(engine: Engine, o: { schools: number; n: number; runs: number }) {
  const b = await startBench(engine);
  try {
    const trustId = await createTrust(b.services.db, 'Bench trust');
    const t0 = performance.now();
    for (let i = 0; i < o.schools; i += 1) {
      const schoolId = await createSchool(
        b.services,
        { name: `Bench trust school ${i + 1}`, trustId },
        'bench',
      );
      const dsl = await benchUser(b, schoolId, 'dsl');
      const kids = await inSchool(b.services.db, schoolId, (q) =>
        q.query<{ id: string }>(
          `INSERT INTO pupils (school_id, first_name, last_name, year_group, form)
           SELECT $1, 'Pupil', 'Bench' || g, 'Year ' || (7 + g % 5), (7 + g % 5) || 'A'
           FROM generate_series(0, 1999) g RETURNING id`,
          [schoolId],
        ),
      );
      await bulkConcerns(b, schoolId, dsl.id, (k) => kids[(k * 7919) % kids.length]!.id, o.n);
      await unsafeAsOwner(b.services.db, (q) =>
        q.query(
          `INSERT INTO trust_sharing (school_id, trust_id, since, switched_on_by)
           VALUES ($1, $2, now(), $3)`,
          [schoolId, trustId, dsl.id],
        ),
      );
    }
    // The reports' fold, as its job does every five minutes.
    await runRollupFold(b.services, new Date());
    const loadMs = performance.now() - t0;
    await b.services.db.exec('VACUUM ANALYZE');
    const email = 'lead@bench-trust.lantern.invalid';
    const memberId = await addTrustMember(b.services, {
      trustId,
      email,
      name: 'Bench lead',
      role: 'trust_safeguarding_lead',
      password: PASSWORD,
    });
    const secret = newTotpSecret();
    const sealed = b.services.keys.sealUnderMaster(`trust_totp.secret:${memberId}`, secret);
    await unsafeAsOwner(b.services.db, (q) =>
      q.query(
        `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3,
           totp_confirmed_at = now() WHERE member_id = $1`,
        [memberId, sealed.sealed, sealed.masterKeyId],
      ),
    );
    const r0 = performance.now();
    const computed = await refreshSnapshots(b.services);
    const refreshMs = performance.now() - r0;
    // Signing in over HTTP: password, then the code.
    const first = await fetch(`${b.base}/api/trust/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (!first.ok) throw new Error(`trust sign-in: ${first.status} ${await first.text()}`);
    const cookieOf = (res: Response) =>
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith('lantern_trust='))!
        .split(';')[0]!;
    const { csrfToken } = (await first.json()) as { csrfToken: string };
    const coded = await fetch(`${b.base}/api/trust/auth/code`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: cookieOf(first),
        'x-csrf-token': csrfToken,
      },
      body: JSON.stringify({ code: totpCodeAt(secret, new Date()) }),
    });
    if (!coded.ok) throw new Error(`trust code: ${coded.status} ${await coded.text()}`);
    const cookie = cookieOf(coded);
    let columns = 0;
    const cpu = cpuMark(b);
    const r = await load(o.runs, 1, async () => {
      const res = await fetch(`${b.base}/api/trust/overview`, { headers: { cookie } });
      if (!res.ok) throw new Error(`overview: ${res.status} ${await res.text()}`);
      columns = ((await res.json()) as { schools: unknown[] }).schools.length;
    });
    const cpuLine = cpuPer(cpu, o.runs).replace('item', 'request');
    const p = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p95 ${ms(percentile(xs, 95))}`;
    return [
      `${engine.padEnd(8)} trust: ${o.schools} schools × (2,000 pupils, ${o.n.toLocaleString('en-GB')} concerns) loaded in ${ms(loadMs)}`,
      `${engine.padEnd(8)} refresh: ${computed} snapshots computed, each in its school, in ${ms(refreshMs)} (${ms(refreshMs / Math.max(1, computed))} a school)`,
      `${engine.padEnd(8)} GET /api/trust/overview (${columns} schools, snapshot read)  ${p(r.latencies)}  (${o.runs} runs)  ${cpuLine}`,
      `${engine.padEnd(8)} machine load (1/5/15 min) ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    ];
  } finally {
    await b.close();
  }
}
