// Two Lantern processes on one PostgreSQL against one (issue 16): the same school and C signed-in
// teachers log N concerns through one real Lantern process (`node src/main.ts`), then through two,
// the clients split between them as a load balancer would. Figures are throughput and latency of
// each; the load generator runs in this process for both, so what changes is only the number of
// Lantern processes. PostgreSQL only (the embedded engine is one process by design).
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/engine.ts';
import { createServices } from '../../src/platform/services.ts';
import { createSchool } from '../../src/features/administration/create-school.ts';
import { createUser } from '../../src/features/administration/create-user.ts';
import { startLanternProcess, type LanternProcess } from '../../src/test/lantern-process.ts';
import {
  load,
  PASSWORD,
  pupilsAndCategory,
  quiet,
  signedIn,
  summary,
  type Client,
} from '../lib.ts';

const TEXT = 'At break she said she did not want to go home tonight; quiet all morning.';

export async function twoProcesses(o: { n: number; c: number }): Promise<string[]> {
  const env0 = loadConfig();
  if (!env0.databaseUrl) throw new Error('The processes scenario needs DATABASE_URL.');
  const name = `lantern_bench_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ engine: 'postgres', url: env0.databaseUrl, poolSize: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  const work = await mkdtemp(path.join(tmpdir(), 'lantern-bench-processes-'));
  const url = new URL(env0.databaseUrl);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    LANTERN_DB_LOGIN_PASSWORD: env0.databaseLoginPassword ?? 'lantern-test-login-role',
    LANTERN_MASTER_KEY: randomBytes(32).toString('base64'),
    LANTERN_DATA_DIR: path.join(work, 'data'),
    LANTERN_DB_POOL_SIZE: '20',
  };
  const running: LanternProcess[] = [];
  try {
    // The school, made in this process (which also migrates the database and makes the login role).
    const s = await createServices(loadConfig({ NODE_ENV: 'test', ...env }), { log: quiet });
    const schoolId = await createSchool(s, { name: `Bench ${randomUUID().slice(0, 8)}` }, 'bench');
    const teachers = [];
    for (let i = 0; i < o.c; i++) {
      const email = `teacher-${randomUUID().slice(0, 8)}@bench.lantern.invalid`;
      const role = 'teacher' as const;
      const id = await createUser(s.db, {
        schoolId,
        email,
        name: 'Bench',
        role,
        password: PASSWORD,
      });
      teachers.push({ id, email });
    }
    const { pupils, category } = await pupilsAndCategory(s.db, schoolId, 200);
    await s.db.close();

    const body = (i: number) => ({
      pupils: [{ pupilId: pupils[i % pupils.length], role: 'subject' }],
      categoryIds: [category],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: `${TEXT} (${i})`,
    });
    const run = async (clients: Client[]) => {
      // Warm each client once (JIT, plans, the school's keys), then measure.
      await Promise.all(
        clients.map(async (c, i) => (await c.post('/api/concerns', body(i))).text()),
      );
      let refused = 0;
      const r = await load(o.n, o.c, async (w, i) => {
        const res = await clients[w]!.post('/api/concerns', body(i));
        if (res.status !== 201) refused++;
        await res.text();
      });
      if (refused > 0) throw new Error(`${refused} concerns were refused`);
      return r;
    };

    running.push(await startLanternProcess(env));
    const clients: Client[] = [];
    for (const t of teachers) clients.push(await signedIn(running[0]!, t));
    const one = await run(clients);
    running.push(await startLanternProcess(env));
    // Half the clients now reach the second process, with the same sessions.
    const split = clients.map((c, i) => (i % 2 === 0 ? c : c.at(running[1]!.base)));
    const two = await run(split);
    const ratio = ((one.wallMs / two.wallMs) * 100).toFixed(0);
    const label = `postgres n=${o.n} c=${o.c}`;
    return [
      `${label}  one process   ${summary(one.latencies, one.wallMs)}`,
      `${label}  two processes ${summary(two.latencies, two.wallMs)}`,
      `${label}  two processes' throughput is ${ratio}% of one's (same machine: ${
        cpus().length
      } cores shared by the load generator, both processes and PostgreSQL)`,
    ];
  } finally {
    for (const p of running) await p.stop('SIGTERM');
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
    await rm(work, { recursive: true, force: true });
  }
}
