import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      env: 'development',
      databaseUrl: undefined,
      tls: false,
    });
    expect(c.dataDir).toMatch(/\/data$/);
    // Outside the data folder (issue 11): a copy of the database never carries its key.
    expect(c.masterKeyFile).toMatch(/\/data-keys\/master\.key$/);
    expect(c.demoData).toBe(true);
    expect(c.database).toEqual({
      statementTimeoutMs: 15_000,
      idleInTransactionTimeoutMs: 30_000,
      poolSize: 10,
      reservedConnections: 2,
    });
    expect(
      loadConfig({ LANTERN_DB_STATEMENT_TIMEOUT_MS: '2500', LANTERN_DB_POOL_SIZE: '20' }).database,
    ).toMatchObject({ statementTimeoutMs: 2500, poolSize: 20 });
  });

  it('fails fast naming the bad setting', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /PORT must be a whole number/],
      [{ PORT: '70000' }, /PORT must be between/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
      [{ DATABASE_OWNER_URL: 'postgres://o@x/y' }, /DATABASE_OWNER_URL needs DATABASE_URL/],
      [{ LANTERN_DB_LOGIN_PASSWORD: 'short' }, /LANTERN_DB_LOGIN_PASSWORD must be at least 16/],
      [{ LANTERN_MASTER_KEY: 'c2hvcnQ=' }, /LANTERN_MASTER_KEY must be 32 bytes/],
      [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
      [{ LANTERN_TLS: 'maybe' }, /LANTERN_TLS must be true or false/],
      [{ NODE_ENV: 'production' }, /DATABASE_URL is required in production/],
      [
        { LANTERN_DB_STATEMENT_TIMEOUT_MS: '15s' },
        /LANTERN_DB_STATEMENT_TIMEOUT_MS must be a whole/,
      ],
      [{ LANTERN_DB_STATEMENT_TIMEOUT_MS: '0' }, /LANTERN_DB_STATEMENT_TIMEOUT_MS must be between/],
      [{ LANTERN_DB_IDLE_TIMEOUT_MS: '10' }, /LANTERN_DB_IDLE_TIMEOUT_MS must be between/],
      [{ LANTERN_DB_POOL_SIZE: '1' }, /LANTERN_DB_POOL_SIZE must be between/],
      [{ LANTERN_DB_RESERVED_CONNECTIONS: '0' }, /LANTERN_DB_RESERVED_CONNECTIONS must be between/],
    ];
    for (const [env, message] of bad) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it('never seeds demo data on PostgreSQL or in production', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).demoData).toBe(false);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://x/y',
        LANTERN_DEMO_DATA: 'true',
      }).demoData,
    ).toBe(false);
  });
});
