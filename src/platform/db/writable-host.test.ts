// Multi-host addresses (issue 16, a standby that takes over): the parser, libpq's way, with no
// database; then, on PostgreSQL, resolution to the writable host past one that is down, and the
// refusal of an address whose hosts are all read-only (a standby's), at start-up and per request.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../../config.ts';
import { checkCanLogIn, loginUrl } from './login-role.ts';
import { openDatabase } from './engine.ts';
import {
  meansPrimaryLost,
  NoWritableHostError,
  PrimaryLostError,
  WritableHost,
} from './writable-host.ts';
import { checkWritable } from './writable-start.ts';

const onPostgres = inject('engine') === 'postgres';
const MULTI =
  'postgres://u:p%40ss@db1.example:5433,[::1]:5434,db3/lantern?target_session_attrs=read-write&sslmode=require';

describe('a multi-host DATABASE_URL', () => {
  it('is split into one ordinary address per host, in order', () => {
    const a = parseDatabaseUrl(MULTI);
    expect(a.hosts).toEqual([
      { host: 'db1.example', port: 5433 },
      { host: '[::1]', port: 5434 },
      { host: 'db3', port: 5432 },
    ]);
    expect(a.urls).toEqual([
      'postgres://u:p%40ss@db1.example:5433/lantern?sslmode=require',
      'postgres://u:p%40ss@[::1]:5434/lantern?sslmode=require',
      'postgres://u:p%40ss@db3:5432/lantern?sslmode=require',
    ]);
    // An ordinary address is left as it is.
    expect(parseDatabaseUrl('postgres://u@h:6000/d').urls).toEqual(['postgres://u@h:6000/d']);
    expect(loadConfig({ DATABASE_URL: MULTI }).databaseUrl).toBe(MULTI);
  });

  it("keeps the host list when Lantern puts its own login role in the owner's place", () => {
    const login = loginUrl(MULTI, 'secret-password');
    expect(parseDatabaseUrl(login).urls[1]).toBe(
      'postgres://lantern_web:secret-password@[::1]:5434/lantern?sslmode=require',
    );
  });

  it('refuses what would let Lantern land on a standby, naming the setting', () => {
    const bad: [string, RegExp][] = [
      ['postgres://u@h1,h2/d', /several hosts but not target_session_attrs=read-write/],
      ['postgres://u@h1,h2/d?target_session_attrs=any', /several hosts but not/],
      ['postgres://u@h1/d?target_session_attrs=standby', /asks for a standby/],
      ['postgres://u@h1,h2/d?target_session_attrs=read-only', /asks for a standby/],
      ['postgres://u@h1,h2/d?target_session_attrs=sometimes', /unknown target_session_attrs/],
      ['postgres://u@h1:99999,h2/d?target_session_attrs=read-write', /not host:port/],
      ['postgres://u@h1,,h2/d?target_session_attrs=read-write', /not host:port \(got ""\)/],
      ['mysql://u@h1,h2/d', /must start with postgres/],
    ];
    for (const [url, message] of bad) {
      expect(() => loadConfig({ DATABASE_URL: url }), url).toThrow(ConfigError);
      expect(() => loadConfig({ DATABASE_URL: url }), url).toThrow(message);
    }
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://a@h/d', DATABASE_OWNER_URL: 'postgres://o@h1,h2/d' }),
    ).toThrow(/^Configuration error: DATABASE_OWNER_URL names several hosts/);
    // With a host list on either, both addresses name the same hosts (in any order).
    const pair = (login: string, owner: string) => () =>
      loadConfig({ DATABASE_URL: login, DATABASE_OWNER_URL: owner });
    const rw = '?target_session_attrs=read-write';
    expect(pair('postgres://a@h1/d', `postgres://o@h1,h2/d${rw}`)).toThrow(
      /^Configuration error: DATABASE_OWNER_URL lists other hosts \(h1:5432, h2:5432\) than DATABASE_URL \(h1:5432\)/,
    );
    expect(pair(`postgres://a@h1,h3/d${rw}`, `postgres://o@h1,h2/d${rw}`)).toThrow(/other hosts/);
    expect(pair(`postgres://a@h2,h1/d${rw}`, `postgres://o@h1,h2/d${rw}`)).not.toThrow();
    expect(pair('postgres://a@pooler:6432/d', 'postgres://o@h1/d')).not.toThrow();
  });
});

describe.runIf(onPostgres)('resolving a multi-host address (PostgreSQL)', () => {
  // A port nothing listens on, then the test server: the first host is "down".
  const server = () => new URL(inject('databaseUrl'));
  const multi = (user: string) => {
    const s = server();
    return `postgres://${user}@127.0.0.1:1,${s.host}${s.pathname}?target_session_attrs=read-write`;
  };

  it('passes a host that is down and uses the writable one, in every lane', async () => {
    const db = await openDatabase({ engine: 'postgres', url: multi(server().username) });
    try {
      await checkWritable(db, 'DATABASE_URL');
      const [a] = await db.query<{ port: string }>("SELECT current_setting('port') AS port");
      const [b] = await db.transaction((tx) => tx.query<{ ok: number }>('SELECT 1 AS ok'), {
        owner: true,
      });
      expect(a?.port).toBe(server().port || '5432');
      expect(b?.ok).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('refuses hosts that are all read-only (a standby), at start-up and per request', async () => {
    // A login whose sessions are read-only stands in for a standby's (pg_is_in_recovery is
    // answered by the failover test, which has a real one).
    const role = `s_ro_${randomBytes(4).toString('hex')}`;
    const owner = await openDatabase({ engine: 'postgres', url: inject('databaseUrl') });
    await owner.exec(
      `CREATE ROLE ${role} LOGIN; ALTER ROLE ${role} SET default_transaction_read_only = on`,
    );
    const db = await openDatabase({ engine: 'postgres', url: multi(role) });
    try {
      const refusal = await checkWritable(db, 'DATABASE_URL').catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ConfigError);
      expect(String(refusal)).toMatch(
        /DATABASE_URL names no writable primary \(127\.0\.0\.1:1 unreachable \(ECONNREFUSED\); 127\.0\.0\.1:\d+ read-only\)/,
      );
      await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(NoWritableHostError);
      // A separate request login on a standby, next to a writable owner: its own lane is checked.
      const split = await openDatabase({
        engine: 'postgres',
        url: multi(role),
        ownerUrl: multi(server().username),
      });
      await checkWritable(split, 'DATABASE_OWNER_URL');
      await expect(checkWritable(split, 'DATABASE_URL', 'login')).rejects.toThrow(
        /^Configuration error: DATABASE_URL names no writable primary/,
      );
      await split.close();
      // One host only, read-only: refused at start-up as well.
      const s = server();
      const single = await openDatabase({
        engine: 'postgres',
        url: `postgres://${role}@${s.host}${s.pathname}`,
      });
      await expect(checkWritable(single, 'DATABASE_URL')).rejects.toThrow(/read-only\)/);
      await single.close();
    } finally {
      await db.close();
      await owner.exec(`DROP ROLE ${role}`);
      await owner.close();
    }
  });

  it('drops a connection made while no host is chosen (it went to the first host)', async () => {
    const host = new WritableHost(multi(server().username), 2_000);
    const Client = host.clientClass();
    const made = () => new Client() as pg.Client & { writableGeneration?: number };
    // Before any choice (and so after a lost primary): a generation that never matches.
    expect(made().writableGeneration).toBe(-1);
    await host.resolve();
    expect(made().writableGeneration).toBe(host.generation);
    expect(host.generation).toBeGreaterThan(0);
    expect(host.url).toBe(host.urls[1]);
  });

  it('throws a refused login or a missing database as itself, not as a failover', async () => {
    const s = server();
    const nobody = await openDatabase({
      engine: 'postgres',
      url: multi(`nobody_${randomBytes(4).toString('hex')}`),
    });
    const noDb = await openDatabase({
      engine: 'postgres',
      url: `postgres://${s.username}@127.0.0.1:1,${s.host}/no_such_db_${randomBytes(4).toString('hex')}?target_session_attrs=read-write`,
    });
    try {
      const refused = await nobody.query('SELECT 1').catch((e: unknown) => e);
      expect(refused).not.toBeInstanceOf(NoWritableHostError);
      expect((refused as { code?: string }).code).toBe('28000');
      await expect(checkCanLogIn(nobody, 'the login was refused')).rejects.toThrow(
        /^Configuration error: DATABASE_URL the login was refused/,
      );
      const missing = await noDb.query('SELECT 1').catch((e: unknown) => e);
      expect((missing as { code?: string }).code).toBe('3D000');
    } finally {
      await nobody.close();
      await noDb.close();
    }
  });

  it('gives up on a statement left unanswered past the timeout, as the primary lost', async () => {
    // pg_sleep stands in for a primary that vanished without closing the socket: no answer comes.
    // Plain db.query has no statement_timeout, so only the pool's query_timeout (statement
    // timeout 300 ms plus as much again) ends the wait.
    expect(meansPrimaryLost(new Error('Query read timeout'))).toBe(true);
    const db = await openDatabase({
      engine: 'postgres',
      url: multi(server().username),
      statementTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const err = await db.query('SELECT pg_sleep(3)').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrimaryLostError);
      expect(Date.now() - started).toBeLessThan(2_500);
      // The choice was dropped and made again: the next statement is answered.
      const [row] = await db.query<{ ok: number }>('SELECT 1 AS ok');
      expect(row?.ok).toBe(1);
    } finally {
      await db.close();
    }
  });
});
