// Start-up's check that the database is a writable primary (issue 16): a standby's address, or a
// host list none of whose hosts is writable, stops the start with a message saying what to give.
import { ConfigError } from '../../config.ts';
import type { Database } from './engine.ts';
import { NoWritableHostError } from './writable-host.ts';

/**
 * At start-up: the database opened is a writable primary. A standby's address (one host, or every
 * host of a list read-only) stops the start with a message saying what to give instead.
 */
export function notWritable(setting: string, hosts: string[]): ConfigError {
  return new ConfigError(
    setting,
    `names no writable primary (${hosts.join('; ')}). Lantern writes, so it needs the primary's ` +
      "address, or every node's with target_session_attrs=read-write (docs/OPERATIONS.md, " +
      '"A standby that takes over").',
  );
}

/**
 * Refuses a start on a database that is not a writable primary (see notWritable). Asked first on
 * the owner's login (the request-time login may not exist yet on a new database); with a separate
 * login, asked again on its lane once it exists (`login`): its address may name a standby.
 */
export async function checkWritable(
  db: Database,
  setting: string,
  on: 'owner' | 'login' = 'owner',
): Promise<void> {
  if (db.engine !== 'postgres') return;
  const sql =
    "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS ro, " +
    "coalesce(host(inet_server_addr()), 'local') || ':' || current_setting('port') AS host";
  let row: { standby: boolean; ro: string; host: string } | undefined;
  try {
    [row] = await db.transaction(
      (tx) => tx.query<NonNullable<typeof row>>(sql),
      on === 'owner' ? { owner: true } : { reserved: true },
    );
  } catch (err) {
    if (err instanceof NoWritableHostError) throw notWritable(setting, err.hosts);
    throw err;
  }
  if (row && (row.standby || row.ro !== 'off')) {
    throw notWritable(setting, [`${row.host} read-only`]);
  }
}
