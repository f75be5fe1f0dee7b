// A real Lantern server as a child process (`node src/main.ts`), for the tests and drills that
// must kill one (crash safety, failover, several processes): started with the environment given,
// on a free loopback port, and answered once /healthz says ok. Its output is kept (never printed)
// so a failure can show the end of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../main.ts');

export type LanternProcess = {
  base: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr together. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<number | string>;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); resolves once it has gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | string>;
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

export async function startLanternProcess(
  env: Record<string, string>,
  opts: { readyWithinMs?: number } = {},
): Promise<LanternProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'gone')),
  );
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + (opts.readyWithinMs ?? 120_000);
  const state: { gone: number | string | null } = { gone: null };
  void exited.then((c) => (state.gone = c));
  for (;;) {
    if (state.gone !== null)
      throw new Error(`Lantern exited (${state.gone}) while starting:\n${out}`);
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`Lantern did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    child,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (state.gone === null) child.kill(signal);
      return exited;
    },
  };
}
