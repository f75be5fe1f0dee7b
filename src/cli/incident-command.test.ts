// `lantern incident notify` run as an operator runs it, a real child process on a real data folder
// with a real SMTP server on loopback: two schools, of which only one has entries by the process
// the operator names; the dry run lists that school and records nothing; --confirm tells it (its
// DPO's notice arrives by SMTP from the command itself) and says so; the same reference again
// tells nobody twice; a time without its zone is refused with exit 2 and nothing recorded. The
// domain (every criterion, both engines) is proved in features/data-protection/incidents/; this
// proves the command's wiring, on the embedded engine only (one data folder, one process at a time).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../platform/db/engine.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { createServices } from '../platform/services.ts';
import { asSystem } from '../core/context.ts';
import { makeSchool, makeUser, silentLog, testConfig } from '../test/harness.ts';
import { runLantern } from '../test/cli-process.ts';
import { startMailTrap, type MailTrap } from '../features/identity/identity-test-kit.ts';

const embedded = inject('engine') === 'embedded';
let base: string;
let env: Record<string, string>;
let trap: MailTrap;
let meadow: { id: string; dpoEmail: string };
let other: string;

const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ engine: 'embedded', dir: path.join(base, 'data', 'pgdata') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.skipIf(!embedded)('lantern incident notify', () => {
  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'lantern-incident-'));
    trap = await startMailTrap();
    const config = testConfig({ dataDir: path.join(base, 'data') });
    const db = await openDatabase({
      engine: 'embedded',
      dir: path.join(base, 'data', 'pgdata'),
      snapshot: new Blob([readFileSync(inject('snapshotPath'))]),
    });
    const services = await createServices(config, { db, log: silentLog });
    const meadowId = await makeSchool(services, 'Meadow Bank School');
    const dpo = await makeUser(services, meadowId, 'dpo', 'Dana Protector');
    other = await makeSchool(services, 'Orchard Primary');
    await makeUser(services, other, 'dpo');
    // Meadow's MIS sync ran in the incident's hour; Orchard's nothing by that process.
    await asSystem(services, meadowId, 'mis_sync').tx((t) =>
      t.audit({ action: 'mis.sync_rejected', details: { source: 'push', format: null } }),
    );
    await db.close();
    meadow = { id: meadowId, dpoEmail: dpo.email };
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LANTERN_DATA_DIR: path.join(base, 'data'),
      LANTERN_MASTER_KEY: config.masterKey!,
      LANTERN_PUBLIC_ORIGIN: 'https://lantern.example',
      SMTP_URL: trap.url,
    };
  });

  afterAll(async () => {
    await trap?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  const args = [
    'incident',
    'notify',
    '--reference',
    'INC-CLI-1',
    '--title',
    'MIS connector credentials leaked',
    '--description',
    'The credentials our MIS connector uses were published by mistake.',
    '--type',
    'confidentiality',
    'integrity',
    '--started',
    new Date(Date.now() - 3_600_000).toISOString(),
    '--aware',
    new Date(Date.now() - 60_000).toISOString(),
    '--process',
    'MIS sync',
    '--by',
    'Acme Hosting',
  ];

  it('lists, then tells, the affected school, once', async () => {
    const dry = await runLantern(args, env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `${meadow.id}  Meadow Bank School: 1 matching entry, 0 records, 0 pupils; to be told`,
    );
    expect(dry.stdout).not.toContain('Orchard Primary');
    expect(lastLine(dry.stdout)).toBe(
      'Dry run: nothing recorded, nobody told. Run again with --confirm to record the incident and tell 1 school.',
    );
    expect(trap.messages).toHaveLength(0);

    const done = await runLantern([...args, '--confirm'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(
      'told now: draft breach opened, 1 holder of the register alerted, 1 email notice to send',
    );
    expect(done.stdout).toContain('Told 1 school.\nEmail notices sent now');
    // Sent by the command itself, to Meadow's DPO alone.
    expect(trap.messages.map((m) => m.to)).toEqual([[meadow.dpoEmail]]);
    expect(trap.messages[0]!.text).toContain('https://lantern.example/data-protection/breaches');
    expect(trap.messages[0]!.text).not.toContain('credentials');

    const again = await runLantern(
      ['incident', 'notify', '--reference', 'INC-CLI-1', '--confirm'],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Meadow Bank School: .*; already told on /);
    expect(lastLine(again.stdout)).toBe('Told 0 schools.');

    const refused = await runLantern(
      [...args.slice(0, 3), 'INC-CLI-2', ...args.slice(4, 11), '--started', '2026-12-01 09:00'],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/incident refused, nothing recorded: .*with its zone/);

    await withDb(async (db) => {
      const rows = await unsafeAsOwner(db, (q) =>
        q.query<{ school_id: string; source: string; status: string }>(
          `SELECT school_id, source, status FROM dp_breaches WHERE source = 'operator_incident'`,
        ),
      );
      expect(rows).toEqual([
        { school_id: meadow.id, source: 'operator_incident', status: 'draft' },
      ]);
      const incidents = await unsafeAsOwner(db, (q) =>
        q.query<{ reference: string; recorded_by: string }>(
          'SELECT reference, recorded_by FROM operator_incidents',
        ),
      );
      expect(incidents).toEqual([{ reference: 'INC-CLI-1', recorded_by: 'Acme Hosting' }]);
    });
    expect(trap.messages).toHaveLength(1);
  }, 300_000);
});
