// Per-school MIS API keys for integrators. A key is shown once when created; only its SHA-256
// is stored, so a database reader cannot push as the school. A pushed key is found by its hash
// alone through a SECURITY DEFINER function that answers for that one exact key; the request
// then runs inside that school only. To change safely: never store, log or return the key after
// creation, and keep the lookup an exact-hash match.
import { createHash, randomBytes } from 'node:crypto';
import type { SchoolTx, Tx, VisitorContext } from '../../core/context.ts';
import type { ApiKeyItem, CreatedApiKey } from '../../shared/schemas/mis.ts';

const PREFIX = 'lmis_';

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export async function createApiKey(t: Tx, label: string): Promise<CreatedApiKey> {
  const key = PREFIX + randomBytes(32).toString('base64url');
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO mis_api_keys (school_id, key_hash, prefix, label, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [t.actor.schoolId, hashKey(key), key.slice(0, PREFIX.length + 4), label, t.actor.userId],
  );
  const id = row?.id ?? '';
  await t.audit({ action: 'mis.api_key_created', targetType: 'mis_api_key', targetId: id });
  return { id, key };
}

export async function revokeApiKey(t: Tx, id: string): Promise<boolean> {
  const rows = await t.q(
    'UPDATE mis_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id, t.now],
  );
  if (rows.length > 0) {
    await t.audit({ action: 'mis.api_key_revoked', targetType: 'mis_api_key', targetId: id });
  }
  return rows.length > 0;
}

export async function listApiKeys(t: Tx): Promise<ApiKeyItem[]> {
  const rows = await t.q<{
    id: string;
    label: string;
    prefix: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }>(
    'SELECT id, label, prefix, created_at, last_used_at, revoked_at FROM mis_api_keys ORDER BY created_at DESC',
  );
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    prefix: r.prefix,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** The school a live key belongs to, or null (asked before the school is known). */
export async function resolveApiKey(
  door: Pick<VisitorContext, 'inPlatform'>,
  key: string,
): Promise<{ keyId: string; schoolId: string } | null> {
  if (!key.startsWith(PREFIX) || key.length > 200) return null;
  const [row] = await door.inPlatform((q) =>
    q.query<{ key_id: string; school_id: string }>('SELECT * FROM lantern_find_mis_key($1)', [
      hashKey(key),
    ]),
  );
  return row ? { keyId: row.key_id, schoolId: row.school_id } : null;
}

/** Notes when a key was last used, inside its school. */
export async function markApiKeyUsed(t: SchoolTx, keyId: string): Promise<void> {
  await t.q('UPDATE mis_api_keys SET last_used_at = $2 WHERE id = $1', [keyId, t.now]);
}
