// `lantern keys rotate`: re-wraps every school key under a new master key in one transaction.
// The data keys themselves do not change, so no record needs re-encrypting and a running service
// (which holds unwrapped keys in memory, and re-reads the key file for an unknown key id) keeps
// working throughout.
import type { Database } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import type { Keyring, MasterKey } from './master-key.ts';
import { unwrapKey, wrapKey, type KeyPurpose } from './school-keys.ts';

export async function rewrapAll(db: Database, old: Keyring, next: MasterKey): Promise<number> {
  return unsafeAsOwner(db, async (tx) => {
    const rows = await tx.query<{
      school_id: string;
      purpose: KeyPurpose;
      version: number;
      wrapped: Buffer;
      master_key_id: string;
    }>('SELECT school_id, purpose, version, wrapped, master_key_id FROM school_keys FOR UPDATE');
    const ring: Keyring = { current: next, byId: new Map([[next.id, next]]) };
    for (const r of rows) {
      const master =
        old.byId.get(r.master_key_id) ?? (r.master_key_id === next.id ? next : undefined);
      if (!master) throw new Error(`No master key ${r.master_key_id} to unwrap ${r.school_id}`);
      const key = unwrapKey(master.key, r.school_id, r.purpose, r.version, Buffer.from(r.wrapped));
      await tx.query(
        `UPDATE school_keys SET wrapped = $1, master_key_id = $2
         WHERE school_id = $3 AND purpose = $4 AND version = $5`,
        [
          wrapKey(ring, r.school_id, r.purpose, r.version, key),
          next.id,
          r.school_id,
          r.purpose,
          r.version,
        ],
      );
    }
    return rows.length;
  });
}
