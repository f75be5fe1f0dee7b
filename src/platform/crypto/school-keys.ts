// Per-school data keys. Each school has a data key (encrypts record text) and a search key (keys
// its blind index), each stored only wrapped (AES-256-GCM) under the master key. Unwrapped keys
// live only in this process's memory. To change safely: never store an unwrapped key, never share
// a key between schools, and keep the wrap's additional data naming school, purpose and version.
import { createHmac, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/engine.ts';
import { keyVersionOf, open, seal } from './aead.ts';
import type { Keyring } from './master-key.ts';
import type { SealedColumn, SealedJsonColumn, SealedTextColumn } from './sealed-columns.ts';

export type KeyPurpose = 'data' | 'search';
type Unwrapped = { version: number; key: Buffer };
type SchoolKeySet = { data: Map<number, Buffer>; currentData: Unwrapped; search: Buffer };

const wrapAad = (schoolId: string, purpose: KeyPurpose, version: number) =>
  `lantern:school-key:${schoolId}:${purpose}:${version}`;

export function unwrapKey(
  master: Buffer,
  schoolId: string,
  purpose: KeyPurpose,
  version: number,
  wrapped: Buffer,
): Buffer {
  return open(master, wrapped, wrapAad(schoolId, purpose, version));
}

export function wrapKey(
  ring: Keyring,
  schoolId: string,
  purpose: KeyPurpose,
  version: number,
  key: Buffer,
) {
  return seal(ring.current.key, 1, key, wrapAad(schoolId, purpose, version));
}

/** A secret of no school's sealed directly under a master key (SchoolKeys.sealUnderMaster). */
export const sealWithMaster = (key: Buffer, aad: string, plaintext: string): Buffer =>
  seal(key, 1, Buffer.from(plaintext, 'utf8'), `lantern:master:${aad}`);
export const openWithMaster = (key: Buffer, aad: string, sealed: Buffer): string =>
  open(key, sealed, `lantern:master:${aad}`).toString('utf8');

type KeyRow = { purpose: KeyPurpose; version: number; wrapped: Buffer; master_key_id: string };

export class SchoolKeys {
  #cache = new Map<string, SchoolKeySet>();
  #keyring: () => Keyring;

  /** keyring is a function so a rotated key file can be re-read without a restart. */
  constructor(keyring: () => Keyring) {
    this.#keyring = keyring;
  }

  /** Whether the master keyring can be read now (readiness: /readyz). */
  keyringLoaded(): boolean {
    try {
      return this.#keyring().current.id.length > 0;
    } catch {
      return false;
    }
  }

  /** Creates a school's first data and search keys. Runs in the school-creation transaction. */
  async create(tx: Queryable, schoolId: string): Promise<void> {
    const ring = this.#keyring();
    for (const purpose of ['data', 'search'] as const) {
      await tx.query(
        `INSERT INTO school_keys (school_id, purpose, version, wrapped, master_key_id)
         VALUES ($1, $2, 1, $3, $4)`,
        [schoolId, purpose, wrapKey(ring, schoolId, purpose, 1, randomBytes(32)), ring.current.id],
      );
    }
  }

  async #load(tx: Queryable, schoolId: string): Promise<SchoolKeySet> {
    const cached = this.#cache.get(schoolId);
    if (cached) return cached;
    const rows = await tx.query<KeyRow>(
      `SELECT purpose, version, wrapped, master_key_id FROM school_keys
       WHERE school_id = $1 ORDER BY version`,
      [schoolId],
    );
    const data = new Map<number, Buffer>();
    let search: Buffer | undefined;
    for (const row of rows) {
      const key = this.#unwrap(schoolId, row);
      if (row.purpose === 'data') data.set(row.version, key);
      else search = key;
    }
    const newest = Math.max(...data.keys());
    const current = data.get(newest);
    if (!current || !search) throw new Error(`School ${schoolId} has no data keys`);
    const set = { data, currentData: { version: newest, key: current }, search };
    this.#cache.set(schoolId, set);
    return set;
  }

  #unwrap(schoolId: string, row: KeyRow): Buffer {
    const ring = this.#keyring();
    const master = ring.byId.get(row.master_key_id);
    if (!master) {
      throw new Error(
        `School key ${schoolId}/${row.purpose}/v${row.version} is wrapped by master key ` +
          `${row.master_key_id}, which this process does not have`,
      );
    }
    return unwrapKey(master.key, schoolId, row.purpose, row.version, Buffer.from(row.wrapped));
  }

  /**
   * Seals a secret that belongs to no school (a trust member's authenticator secret, issue 20)
   * directly under the current master key; `aad` names the column and row. Returns the master
   * key's id, stored beside it so a rotated keyring can still open it.
   */
  sealUnderMaster(aad: string, plaintext: string): { sealed: Buffer; masterKeyId: string } {
    const ring = this.#keyring();
    return {
      sealed: sealWithMaster(ring.current.key, aad, plaintext),
      masterKeyId: ring.current.id,
    };
  }

  openUnderMaster(masterKeyId: string, aad: string, sealed: Buffer): string {
    const master = this.#keyring().byId.get(masterKeyId);
    if (!master)
      throw new Error(`Sealed under master key ${masterKeyId}, which this process lacks`);
    return openWithMaster(master.key, aad, sealed);
  }

  /** A sealer bound to one school, used through the request context. */
  async forSchool(tx: Queryable, schoolId: string): Promise<Sealer> {
    const set = await this.#load(tx, schoolId);
    return new Sealer(schoolId, set);
  }

  forget(schoolId?: string): void {
    if (schoolId) this.#cache.delete(schoolId);
    else this.#cache.clear();
  }
}

/** Encrypts and decrypts one school's fields. The additional data names column and row. */
export class Sealer {
  readonly schoolId: string;
  readonly #keys: SchoolKeySet;
  constructor(schoolId: string, keys: SchoolKeySet) {
    this.schoolId = schoolId;
    this.#keys = keys;
  }
  #aad(field: SealedColumn, rowId: string) {
    return `${this.schoolId}:${field}:${rowId}`;
  }
  seal(field: SealedTextColumn, rowId: string, text: string): Buffer {
    const { version, key } = this.#keys.currentData;
    return seal(key, version, Buffer.from(text, 'utf8'), this.#aad(field, rowId));
  }
  open(field: SealedTextColumn, rowId: string, sealed: Buffer): string {
    return this.#open(field, rowId, sealed);
  }
  #open(field: SealedColumn, rowId: string, sealed: Buffer): string {
    const key = this.#keys.data.get(keyVersionOf(sealed));
    if (!key) throw new Error(`No data key version ${keyVersionOf(sealed)} for this school`);
    return open(key, sealed, this.#aad(field, rowId)).toString('utf8');
  }
  sealJson(field: SealedJsonColumn, rowId: string, value: unknown): Buffer {
    const { version, key } = this.#keys.currentData;
    return seal(key, version, Buffer.from(JSON.stringify(value), 'utf8'), this.#aad(field, rowId));
  }
  openJson<T>(field: SealedJsonColumn, rowId: string, sealed: Buffer): T {
    return JSON.parse(this.#open(field, rowId, sealed)) as T;
  }
  /**
   * A keyed digest of text (HMAC-SHA-256 under a key derived from the school's search key), for a
   * fingerprint stored beside sealed values — such as the MIS's "same record as last time" hash —
   * that must not let someone holding a dump confirm a guess at the sealed words.
   */
  digest(purpose: 'mis-record' | 'page-cursor' | 'destruction-subject', text: string): string {
    const key = createHmac('sha256', this.#keys.search)
      .update(`lantern:digest:${purpose}`)
      .digest();
    return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
  }
  /** The school's search-index key (HMAC), never leaves the process. */
  get searchKey(): Buffer {
    return this.#keys.search;
  }
}
