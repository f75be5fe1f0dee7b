// `lantern keys rotate`: re-wraps every school key under a new master key in one transaction
// (and re-seals the trust members' authenticator secrets, which are sealed under it directly).
// The data keys themselves do not change, so no record needs re-encrypting and a running service
// (which holds unwrapped keys in memory, and re-reads the key file for an unknown key id) keeps
// working throughout.
import type { Database } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import type { Keyring, MasterKey } from './master-key.ts';
import {
  openWithMaster,
  sealWithMaster,
  unwrapKey,
  wrapKey,
  type KeyPurpose,
} from './school-keys.ts';

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
    // Trust members' authenticator secrets (issue 20) are sealed under the master key itself (no
    // school's key fits a trust): opened with the old key and sealed again under the new one.
    const secrets = await tx.query<{
      member_id: string;
      totp_sealed: Buffer;
      totp_master_key_id: string;
    }>(
      `SELECT member_id, totp_sealed, totp_master_key_id FROM trust_member_credentials
       WHERE totp_sealed IS NOT NULL FOR UPDATE`,
    );
    for (const r of secrets) {
      const master =
        old.byId.get(r.totp_master_key_id) ?? (r.totp_master_key_id === next.id ? next : undefined);
      if (!master) throw new Error(`No master key ${r.totp_master_key_id} to open a trust secret`);
      const aad = `trust_totp.secret:${r.member_id}`;
      const secret = openWithMaster(master.key, aad, Buffer.from(r.totp_sealed));
      await tx.query(
        `UPDATE trust_member_credentials SET totp_sealed = $2, totp_master_key_id = $3
         WHERE member_id = $1`,
        [r.member_id, sealWithMaster(next.key, aad, secret), next.id],
      );
    }
    return rows.length;
  });
}
