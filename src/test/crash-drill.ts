// The crash drill (issue 16): Lantern runs as a real process; C clients log concerns as fast as
// it answers; after K concerns have been acknowledged (HTTP 201) the process is killed with
// SIGKILL — no shutdown, requests in flight cut off — and started again on the same database or
// data folder. Every acknowledged concern must be there, and the school's and the platform's audit
// chains must verify. Used in short form by src/platform/crash-safety.test.ts and in full by
// scripts/ops/crash-drill.ts (20 clients, 1,000 concerns).
import { randomUUID } from 'node:crypto';
import { pupilsAndCategory, signedIn, type Client } from '../../bench/lib.ts';
import type { Database } from '../platform/db/engine.ts';
import { unsafeAsOwner, PLATFORM_SCHOOL_ID } from '../platform/db/tenancy.ts';
import { verifyAudit, type VerifyResult } from '../platform/audit/verify.ts';
import { createSchool } from '../features/administration/create-school.ts';
import { createUser } from '../features/administration/create-user.ts';
import type { SchoolKeys } from '../platform/crypto/school-keys.ts';
import { startLanternProcess, type LanternProcess } from './lantern-process.ts';

export type DrillTarget = {
  /** The environment of the Lantern process (database or data folder, master key). */
  env: Record<string, string>;
  /** Opens the same database in this process (after the server has stopped, on the embedded one). */
  open(): Promise<{ db: Database; keys: SchoolKeys; close: () => Promise<void> }>;
};

export type DrillResult = {
  acknowledged: number;
  missing: string[];
  attempted: number;
  cutOff: number;
  restartMs: number;
  audit: VerifyResult[];
};

const PASSWORD = 'bench-Passphrase-long-7!';

/** A school with C teachers and some pupils, made in this process before the server starts. */
async function prepare(target: DrillTarget, clients: number) {
  const { db, keys, close } = await target.open();
  try {
    const schoolId = await createSchool(
      { db, keys },
      { name: `Crash drill ${randomUUID().slice(0, 8)}` },
      'drill',
    );
    const teachers = [];
    for (let i = 0; i < clients; i++) {
      const email = `drill-${randomUUID().slice(0, 8)}@drill.lantern.invalid`;
      const id = await createUser(
        db,
        { schoolId, email, name: 'Drill teacher', role: 'teacher', password: PASSWORD },
        'drill',
      );
      teachers.push({ id, email });
    }
    const { pupils, category } = await pupilsAndCategory(db, schoolId, 50);
    return { schoolId, teachers, pupils, category };
  } finally {
    await close();
  }
}

export async function crashDrill(
  target: DrillTarget,
  o: { clients: number; total: number; killAfter: number; log?: (m: string) => void },
): Promise<DrillResult> {
  const log = o.log ?? (() => undefined);
  const school = await prepare(target, o.clients);
  let server: LanternProcess | null = await startLanternProcess(target.env);
  try {
    const clients: Client[] = [];
    for (const t of school.teachers) clients.push(await signedIn(server, t));
    const acked: string[] = [];
    let attempted = 0;
    let cutOff = 0;
    const kill: { done: Promise<number | string> | null } = { done: null };
    const body = (i: number) => ({
      pupils: [{ pupilId: school.pupils[i % school.pupils.length], role: 'subject' }],
      categoryIds: [school.category],
      happenedAt: new Date(Date.now() - 3_600_000).toISOString(),
      body: `Crash drill concern ${i}: arrived late and upset, said there was shouting at home.`,
    });
    const worker = async (c: Client) => {
      while (attempted < o.total && kill.done === null) {
        const i = attempted++;
        try {
          const res = await c.post('/api/concerns', body(i));
          if (res.status === 201) {
            acked.push(((await res.json()) as { id: string }).id);
            if (acked.length >= o.killAfter && kill.done === null) {
              kill.done = server!.stop('SIGKILL');
              log(`killed with SIGKILL after ${acked.length} acknowledged`);
            }
          } else await res.text();
        } catch {
          cutOff += 1; // the connection was cut by the kill: its outcome is unknown, as it may be
        }
      }
    };
    await Promise.all(clients.map(worker));
    if (kill.done) await kill.done;
    else await server.stop('SIGKILL');
    server = null;

    const restarted = Date.now();
    server = await startLanternProcess(target.env);
    const restartMs = Date.now() - restarted;
    log(`restarted and serving in ${restartMs} ms`);
    // Serving again, and the sessions made before the crash still hold (they live in the database).
    const again = clients[0]!.at(server.base);
    const after = await again.post('/api/concerns', body(o.total + 1));
    if (after.status !== 201)
      throw new Error(`after the restart: ${after.status} ${await after.text()}`);
    await server.stop('SIGTERM');
    server = null;

    const { db, close } = await target.open();
    try {
      const present = await unsafeAsOwner(db, (q) =>
        q.query<{ id: string }>('SELECT id FROM concerns WHERE school_id = $1', [school.schoolId]),
      );
      const ids = new Set(present.map((r) => r.id));
      const audit = [
        await verifyAudit(db, school.schoolId),
        await verifyAudit(db, PLATFORM_SCHOOL_ID),
      ];
      return {
        acknowledged: acked.length,
        missing: acked.filter((id) => !ids.has(id)),
        attempted,
        cutOff,
        restartMs,
        audit,
      };
    } finally {
      await close();
    }
  } finally {
    if (server) await server.stop('SIGKILL');
  }
}
