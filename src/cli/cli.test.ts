// The operator's command-line tool, run as a real child process the way an operator runs it:
// help for each command, migrate, school create, user create, audit verify (intact, then
// tampered), keys rotate, and clear non-zero exits on bad arguments. On the embedded project it
// uses an on-disk data folder; on PostgreSQL, a database of its own (rotation and verification
// are installation-wide, and other test files break chains on purpose).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verify as verifyArgon2 } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../platform/db/engine.ts';
import { unsafeAsOwner } from '../platform/db/tenancy.ts';
import { newMasterKey, readKeyFile, writeKeyFile } from '../platform/crypto/master-key.ts';
import { LOGIN_ROLE } from '../platform/db/login-role.ts';
import { formatAnchorCode } from '../shared/anchor-code.ts';
import { TEST_LOGIN_PASSWORD } from '../test/global-setup.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Result = { code: number | null; stdout: string; stderr: string };

let dataDir: string;
let env: Record<string, string>;
let pgName: string | undefined;
let adminUrl: URL | undefined;

function lantern(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  return new Promise<Result>((resolve, reject) => {
    const child = spawn(NODE, [MAIN, ...args], { cwd: ROOT, env: opts.env ?? env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

/** Opens the same database the CLI uses (the CLI has exited, so the embedded files are free). */
async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = pgName
    ? await openDatabase({ engine: 'postgres', url: env.DATABASE_URL!, poolSize: 1 })
    : await openDatabase({ engine: 'embedded', dir: path.join(dataDir, 'pgdata') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function adminExec(sql: string): Promise<void> {
  const admin = await openDatabase({ engine: 'postgres', url: adminUrl!.href, poolSize: 1 });
  try {
    await admin.exec(sql);
  } finally {
    await admin.close();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lantern-cli-'));
  env = {
    LANTERN_DATA_DIR: dataDir,
    NODE_ENV: 'development',
    LANTERN_DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
  };
  if (inject('engine') === 'postgres') {
    adminUrl = new URL(inject('databaseUrl'));
    pgName = `lantern_cli_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminExec(`CREATE DATABASE ${pgName}`);
    const url = new URL(adminUrl.href);
    url.pathname = `/${pgName}`;
    // With DATABASE_URL no key file is created for you: the operator provides one.
    const keyFile = path.join(`${dataDir}-keys`, 'operator-master.key');
    writeKeyFile(keyFile, [newMasterKey()]);
    // The cluster's lantern_web exists (global-setup made it): this machine holds its password,
    // kept beside the master key as the machine that made it would.
    await writeFile(path.join(`${dataDir}-keys`, 'db-login.secret'), `${TEST_LOGIN_PASSWORD}\n`, {
      mode: 0o600,
    });
    env = { ...env, DATABASE_URL: url.href, LANTERN_MASTER_KEY_FILE: keyFile };
  }
});

afterAll(async () => {
  if (pgName) await adminExec(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}-keys`, { recursive: true, force: true });
});

describe('lantern (command line)', () => {
  it('prints help for itself and every command, touching no database', async () => {
    const cases: [string[], RegExp[]][] = [
      [['--help'], [/Usage: lantern/, /migrate/, /school/, /user/, /keys/, /audit/, /incident/]],
      [
        ['migrate', '--help'],
        [/Usage: lantern migrate/, /migrations/],
      ],
      [
        ['school', 'create', '--help'],
        [/Usage: lantern school create/, /--name <name>/],
      ],
      [
        ['user', 'create', '--help'],
        [/--school <schoolId>/, /--email <email>/, /--role <role>/, /--password-stdin/],
      ],
      [
        ['keys', 'rotate', '--help'],
        [/Usage: lantern keys rotate/, /--new-key-file/],
      ],
      [
        ['audit', 'verify', '--help'],
        [/Usage: lantern audit verify/, /--school <schoolId>/],
      ],
      [
        ['search', 'reindex', '--help'],
        [/Usage: lantern search reindex/, /--school <id>/, /index version 2/],
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => lantern(args)));
    results.forEach((r, i) => {
      const [args, patterns] = cases[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      for (const p of patterns) expect(r.stdout, args.join(' ')).toMatch(p);
    });
  });

  it('migrates, creates a school and a user, verifies, rotates keys, and catches tampering', async () => {
    const migrated = await lantern(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/Applied 0001_foundation/);
    const again = await lantern(['migrate']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/up to date/);

    const school = await lantern(['school', 'create', '--name', 'Riverside Primary']);
    expect(school.code, school.stderr).toBe(0);
    expect(school.stdout).toMatch(/Created school "Riverside Primary"/);
    const schoolId = lastLine(school.stdout);
    expect(schoolId).toMatch(UUID);

    const password = 'a long Passphrase for the DSL 42';
    const user = await lantern(
      [
        'user',
        'create',
        '--school',
        schoolId,
        '--email',
        'Dee.SL@riverside.example',
        '--name',
        'Dee Esel',
        '--role',
        'dsl',
        '--password-stdin',
      ],
      { stdin: `${password}\n` },
    );
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).not.toMatch(/Temporary password/);
    expect(user.stdout).not.toContain(password);
    const userId = lastLine(user.stdout);
    expect(userId).toMatch(UUID);
    await withDb(async (db) => {
      const [row] = await unsafeAsOwner(db, (tx) =>
        tx.query<{ email: string; role: string; password_hash: string; school_id: string }>(
          'SELECT email, role, password_hash, school_id FROM users WHERE id = $1',
          [userId],
        ),
      );
      expect(row).toMatchObject({
        email: 'dee.sl@riverside.example',
        role: 'dsl',
        school_id: schoolId,
      });
      expect(row!.password_hash).toMatch(/^\$argon2id\$/);
      // The trailing newline from stdin is not part of the password.
      expect(await verifyArgon2(row!.password_hash, password)).toBe(true);
    });

    // Issue 20: a trust and its safeguarding lead.
    const trust = await lantern(['trust', 'create', '--name', 'River Trust']);
    expect(trust.code, trust.stderr).toBe(0);
    const trustId = lastLine(trust.stdout);
    expect(trustId).toMatch(UUID);
    const badRole = await lantern([
      'trust',
      'add-member',
      '--trust',
      trustId,
      '--email',
      'x@river.example',
      '--name',
      'X',
      '--role',
      'dsl',
    ]);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(
      /--role must be one of trust_safeguarding_lead, trust_executive/,
    );
    const lead = await lantern(
      [
        'trust',
        'add-member',
        '--trust',
        trustId,
        '--email',
        'Tess.Lead@river.example',
        '--name',
        'Tess Lead',
        '--role',
        'trust_safeguarding_lead',
        '--password-stdin',
      ],
      { stdin: `${password}\n` },
    );
    expect(lead.code, lead.stderr).toBe(0);
    expect(lead.stdout).toMatch(/Added trust_safeguarding_lead Tess.Lead@river.example/);
    await withDb(async (db) => {
      const [row] = await unsafeAsOwner(db, (tx) =>
        tx.query<{ trust_id: string; role: string; password_hash: string }>(
          `SELECT m.trust_id, m.role, c.password_hash FROM trust_members m
           JOIN trust_member_credentials c ON c.member_id = m.id WHERE m.id = $1`,
          [lastLine(lead.stdout)],
        ),
      );
      expect(row).toMatchObject({ trust_id: trustId, role: 'trust_safeguarding_lead' });
      expect(await verifyArgon2(row!.password_hash, password)).toBe(true);
    });

    const intact = await lantern(['audit', 'verify']);
    expect(intact.code, intact.stderr).toBe(0);
    expect(lastLine(intact.stdout)).toMatch(/^Checked \d+ entries in \d+ chains: all intact\.$/);

    // The key lives beside the data folder, never in it (issue 11).
    const keyFile = env.LANTERN_MASTER_KEY_FILE ?? path.join(`${dataDir}-keys`, 'master.key');
    const oldKey = readKeyFile(keyFile).current;
    const rotated = await lantern(['keys', 'rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const ring = readKeyFile(keyFile);
    expect(ring.current.id).not.toBe(oldKey.id);
    expect(rotated.stdout).toContain(
      `Re-wrapped 2 school keys under master key ${ring.current.id}.`,
    );
    expect([...ring.byId.keys()]).toEqual([ring.current.id, oldKey.id]);
    expect((await readFile(keyFile, 'utf8')).includes(ring.current.key.toString('base64'))).toBe(
      true,
    );
    await withDb(async (db) => {
      const rows = await unsafeAsOwner(db, (tx) =>
        tx.query<{ master_key_id: string }>('SELECT master_key_id FROM school_keys'),
      );
      expect(rows.map((r) => r.master_key_id)).toEqual([ring.current.id, ring.current.id]);
    });
    // The rotation is itself on the trail, and the trail still verifies.
    const afterRotation = await lantern(['audit', 'verify', '--school', schoolId]);
    expect(afterRotation.code, afterRotation.stderr).toBe(0);

    // An anchor code for the school's latest entry, read back (issue 20): it matches while the
    // chain is intact; a school id that is no id is a clear refusal.
    const [last] = await withDb((db) =>
      unsafeAsOwner(db, (tx) =>
        tx.query<{ seq: number; hash: Buffer; at: Date }>(
          'SELECT seq, hash, at FROM audit_events WHERE school_id = $1 ORDER BY seq DESC LIMIT 1',
          [schoolId],
        ),
      ),
    );
    const code = formatAnchorCode(
      new Date(last!.at).toISOString().slice(0, 10),
      Number(last!.seq),
      Buffer.from(last!.hash).toString('hex'),
    );
    const codeOk = await lantern(['audit', 'verify', '--school', schoolId, '--code', code]);
    expect(codeOk.code, codeOk.stderr).toBe(0);
    expect(codeOk.stdout).toContain('The code matches');
    const noSchool = await lantern(['audit', 'verify', '--school', 'riverside', '--code', code]);
    expect(noSchool.code).toBe(1);
    expect(noSchool.stderr).toContain('riverside is not a school id');

    // Tamper with the user-created entry (seq 2; seq 1 is school.created) as the database owner.
    await withDb((db) =>
      unsafeAsOwner(db, (tx) =>
        tx.query(
          `UPDATE audit_events SET details = '{"role":"teacher"}'::jsonb
           WHERE school_id = $1 AND action = 'user.created'`,
          [schoolId],
        ),
      ),
    );
    const broken = await lantern(['audit', 'verify']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(`BROKEN school ${schoolId} entry 2:`);
    expect(broken.stderr).toMatch(/altered/);
    expect(lastLine(broken.stdout)).toMatch(/1 broken\.$/);
    // The code for a later entry, untouched, no longer matches: the chain before it is broken.
    const codeBroken = await lantern(['audit', 'verify', '--school', schoolId, '--code', code]);
    expect(codeBroken.code).toBe(2);
    expect(codeBroken.stdout).toContain('entry 2,');
    expect(codeBroken.stdout).toContain('does not recompute');
  }, 600_000);

  it.runIf(inject('engine') === 'postgres')(
    'never changes the login role from commands other than migrate',
    async () => {
      const verifier = () =>
        withDb(async (db) => {
          const [row] = await unsafeAsOwner(db, (tx) =>
            tx.query<{ v: string }>('SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1', [
              LOGIN_ROLE,
            ]),
          );
          return row!.v;
        });
      const migrated = await lantern(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      const before = await verifier();
      // Another machine's operator, with a password of its own: it logs in (this test server
      // trusts local logins) and leaves the role as the servers use it.
      const made = await lantern(['school', 'create', '--name', 'Elsewhere Academy'], {
        env: { ...env, LANTERN_DB_LOGIN_PASSWORD: 'another-machines-password-0123456789' },
      });
      expect(made.code, made.stderr).toBe(0);
      expect(await verifier()).toBe(before);
    },
    60_000,
  );

  it('brings the search index up to its version at once, school by school', async () => {
    // After the test above: one school, nothing waiting in it.
    const reindex = await lantern(['search', 'reindex']);
    expect(reindex.code, reindex.stderr).toBe(0);
    expect(reindex.stdout).toMatch(
      /^school [0-9a-f-]{36}: 0 concerns, 0 actions, 0 conversations re-indexed in \d+\.\d s$/m,
    );
    expect(lastLine(reindex.stdout)).toBe('0 records re-indexed; the index is at version 2');
  });

  it('refuses bad arguments with a clear message and a non-zero exit', async () => {
    const schoolId = randomUUID();
    const userCreate = (role: string) => [
      'user',
      'create',
      '--school',
      schoolId,
      '--email',
      'a@b.example',
      '--name',
      'A',
      '--role',
      role,
      '--password-stdin',
    ];
    // These fail before opening the database, so they may run side by side.
    const [noName, badRole, unknown] = await Promise.all([
      lantern(['school', 'create']),
      lantern(userCreate('wizard'), { stdin: 'a long enough password 1\n' }),
      lantern(['frobnicate']),
    ]);
    // These open the database (one process at a time for the embedded engine's files).
    const shortPassword = await lantern(userCreate('teacher'), { stdin: 'short\n' });
    const noSuchSchool = await lantern(['search', 'reindex', '--school', schoolId]);
    // An env-configured key: rotate must be told where to put the new one.
    const envKey = await lantern(['keys', 'rotate'], {
      env: { ...env, LANTERN_MASTER_KEY: newMasterKey().key.toString('base64') },
    });
    // …and never inside the data folder, beside the database the key opens (issue 11).
    const keyInData = await lantern(
      ['keys', 'rotate', '--new-key-file', path.join(env.LANTERN_DATA_DIR!, 'next.key')],
      { env: { ...env, LANTERN_MASTER_KEY: newMasterKey().key.toString('base64') } },
    );
    expect(noName.code).not.toBe(0);
    expect(noName.stderr).toMatch(/required option '--name <name>' not specified/);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/--role must be one of .*teacher.*dsl/);
    expect(shortPassword.code).not.toBe(0);
    expect(shortPassword.stderr).toMatch(/at least 12 characters/);
    expect(noSuchSchool.code).toBe(2);
    expect(noSuchSchool.stderr).toContain(`there is no school with the id "${schoolId}"`);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(envKey.code).not.toBe(0);
    expect(envKey.stderr).toMatch(/LANTERN_MASTER_KEY is set: give --new-key-file/);
    expect(keyInData.code).not.toBe(0);
    expect(keyInData.stderr).toMatch(/is inside the data folder .*choose a path outside it/);
    for (const r of [noName, badRole, shortPassword, unknown, envKey, keyInData]) {
      expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
    }

    const badConfig = await lantern(['migrate'], { env: { ...env, LOG_LEVEL: 'loud' } });
    expect(badConfig.code).not.toBe(0);
    expect(badConfig.stderr).toMatch(/LOG_LEVEL must be one of/);
  }, 600_000);
});
