// The full crash drill (issue 16): `node scripts/ops/crash-drill.ts [--engine embedded|postgres]
// [--clients 20] [--total 1000] [--kill-after 500]`. Starts Lantern as a real process, has the
// clients log concerns, kills it with SIGKILL after --kill-after acknowledgements, starts it again
// on the same database (a throwaway PostgreSQL database made at DATABASE_URL's server and dropped
// afterwards) or data folder (a temporary one), and prints how many concerns were acknowledged,
// how many of those are missing (must be 0), how long the restart took, and the audit chains'
// verification. The short form runs in the test suite (src/test/crash-drill.test.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/platform/db/engine.ts';
import { createServices } from '../../src/platform/services.ts';
import { crashDrill, type DrillTarget } from '../../src/test/crash-drill.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'embedded' },
    clients: { type: 'string', default: '20' },
    total: { type: 'string', default: '1000' },
    'kill-after': { type: 'string', default: '500' },
  },
});
const clients = Number(values.clients);
const total = Number(values.total);
const killAfter = Number(values['kill-after']);
if (![clients, total, killAfter].every((n) => Number.isInteger(n) && n > 0) || killAfter > total) {
  console.error(
    '--clients, --total and --kill-after must be whole numbers, --kill-after ≤ --total.',
  );
  process.exit(2);
}

const masterKey = randomBytes(32).toString('base64');
const work = await mkdtemp(path.join(tmpdir(), 'lantern-crash-drill-'));
let drop: (() => Promise<void>) | null = null;
let target: DrillTarget;
if (values.engine === 'postgres') {
  const ownerUrl = process.env['DATABASE_URL'];
  if (!ownerUrl) {
    console.error('--engine postgres needs DATABASE_URL: a server where a database may be made.');
    process.exit(2);
  }
  const name = `lantern_crash_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ engine: 'postgres', url: ownerUrl, poolSize: 2 });
  await admin.exec(`CREATE DATABASE ${name}`);
  drop = async () => {
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  };
  const url = new URL(ownerUrl);
  url.pathname = `/${name}`;
  // Lantern's own login role (lantern_web), with a password given so any existing role is usable.
  const loginPassword = process.env['LANTERN_DB_LOGIN_PASSWORD'] ?? 'lantern-test-login-role';
  const env = {
    DATABASE_URL: url.toString(),
    LANTERN_DB_LOGIN_PASSWORD: loginPassword,
    LANTERN_MASTER_KEY: masterKey,
    LANTERN_DATA_DIR: path.join(work, 'data'),
  };
  target = {
    env,
    open: async () => {
      const s = await createServices(loadConfig({ NODE_ENV: 'test', ...env }), { log: quiet });
      return { db: s.db, keys: s.keys, close: () => s.db.close() };
    },
  };
} else {
  const env = { LANTERN_DATA_DIR: path.join(work, 'data'), LANTERN_MASTER_KEY: masterKey };
  target = {
    env,
    open: async () => {
      const s = await createServices(loadConfig({ NODE_ENV: 'test', ...env }), { log: quiet });
      return { db: s.db, keys: s.keys, close: () => s.db.close() };
    },
  };
}

try {
  console.log(
    `crash drill on ${values.engine}: ${clients} clients, ${total} concerns, SIGKILL after ${killAfter}`,
  );
  const r = await crashDrill(target, { clients, total, killAfter, log: (m) => console.log(m) });
  console.log(`acknowledged (201) before the kill: ${r.acknowledged}`);
  console.log(`requests cut off by the kill (outcome unknown to the client): ${r.cutOff}`);
  console.log(`acknowledged but missing after the restart: ${r.missing.length}`);
  console.log(`restart to serving: ${r.restartMs} ms`);
  for (const [i, a] of r.audit.entries()) {
    console.log(
      `audit chain (${i === 0 ? 'school' : 'platform'}): ${a.chains} chain(s), ${a.entries} entries, ${a.breaks.length} breaks`,
    );
  }
  process.exitCode = r.missing.length === 0 && r.audit.every((a) => a.breaks.length === 0) ? 0 : 1;
} finally {
  if (drop) await drop();
  await rm(work, { recursive: true, force: true });
}
