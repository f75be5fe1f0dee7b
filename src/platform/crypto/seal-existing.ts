// Sealing values a migration finds in clear (issue 11, finding 9): SQL cannot seal, so a
// migration that turns clear columns into sealed ones names a step between its SQL parts
// (`-- lantern:step <name>`, run by migrate.ts in the migration's own transaction). The first
// part adds a bytea holding column `<column>_sealing` beside each clear one; the step seals every
// value into it under its school's data key, bound to the declared column and the row (as the
// application would); the last part changes each column's type from its holding column, refusing
// any value left unsealed. To change safely: a new step goes in MIGRATION_STEPS under a new name
// with its own migration; never change what a landed step does (its migration is never re-run).
import type { Queryable } from '../db/engine.ts';
import type { SchoolKeys, Sealer } from './school-keys.ts';
import { SEALED_COLUMNS, type SealedColumn, type SealedJsonColumn } from './sealed-columns.ts';

/** What a step may need; the keys are loaded only when a step has records to seal. */
export type StepDeps = { keys?: () => SchoolKeys };
export type MigrationStep = (tx: Queryable, deps: StepDeps) => Promise<void>;

type TableSpec = {
  table: string;
  columns: SealedColumn[];
  /** Re-key the MIS's "same record as last time" hash with the school's digest key. */
  rekeyMisHash?: boolean;
};

const SLICE = 500;

function columnOf(c: SealedColumn): string {
  return c.slice(c.indexOf('.') + 1);
}

const isJson = (c: SealedColumn): c is SealedJsonColumn => SEALED_COLUMNS[c] === 'json';

function sealValue(sealer: Sealer, column: SealedColumn, rowId: string, value: unknown): Buffer {
  return isJson(column)
    ? sealer.sealJson(column, rowId, value)
    : sealer.seal(column, rowId, String(value));
}

async function sealTable(tx: Queryable, sealer: Sealer, spec: TableSpec): Promise<number> {
  const cols = spec.columns.map(columnOf);
  const rows = await tx.query<Record<string, unknown> & { id: string; mis_hash?: string | null }>(
    `SELECT id, ${cols.join(', ')}${spec.rekeyMisHash ? ', mis_hash' : ''} FROM ${spec.table}
     WHERE school_id = $1 AND (${[...cols, ...(spec.rekeyMisHash ? ['mis_hash'] : [])]
       .map((c) => `${c} IS NOT NULL`)
       .join(' OR ')})`,
    [sealer.schoolId],
  );
  const sealed = rows.map((r) => {
    const out: Record<string, string | null> = { id: r.id };
    for (const column of spec.columns) {
      const v = r[columnOf(column)];
      out[columnOf(column)] =
        v === null || v === undefined ? null : sealValue(sealer, column, r.id, v).toString('hex');
    }
    if (spec.rekeyMisHash)
      out.mis_hash = r.mis_hash ? sealer.digest('mis-record', r.mis_hash) : null;
    return out;
  });
  const sets = cols.map((c) => `${c}_sealing = decode(n.${c}, 'hex')`);
  if (spec.rekeyMisHash) sets.push('mis_hash = n.mis_hash');
  const shape = ['id uuid', ...cols.map((c) => `${c} text`)];
  if (spec.rekeyMisHash) shape.push('mis_hash text');
  for (let i = 0; i < sealed.length; i += SLICE) {
    await tx.query(
      `UPDATE ${spec.table} t SET ${sets.join(', ')}
       FROM json_to_recordset($1::json) AS n(${shape.join(', ')}) WHERE t.id = n.id`,
      [JSON.stringify(sealed.slice(i, i + SLICE))],
    );
  }
  return rows.length;
}

/** A step sealing the given columns of every school's rows into their holding columns. */
export function sealInPlace(specs: TableSpec[]): MigrationStep {
  return async (tx, deps) => {
    const schools = await tx.query<{ school_id: string }>(
      specs
        .map((s) => `SELECT DISTINCT school_id FROM ${s.table}`)
        .join(' UNION ')
        .concat(' ORDER BY school_id'),
    );
    if (schools.length === 0) return;
    if (!deps.keys) {
      throw new Error(
        'This migration seals existing records and needs the master key: run it with the ' +
          "server's settings (LANTERN_MASTER_KEY or LANTERN_MASTER_KEY_FILE).",
      );
    }
    const keys = deps.keys();
    for (const { school_id } of schools) {
      const sealer = await keys.forSchool(tx, school_id);
      for (const spec of specs) await sealTable(tx, sealer, spec);
    }
  };
}

/**
 * Migration 0022: each vulnerability flag's kind, found in clear in `pupil_flags.flag`, sealed into
 * `kind_sealed` (bound to the declared column `pupil_flags.kind` and the row) and the clear kind
 * cleared, so no flag's kind is left readable at rest.
 */
const sealFlagKinds: MigrationStep = async (tx, deps) => {
  const schools = await tx.query<{ school_id: string }>(
    'SELECT DISTINCT school_id FROM pupil_flags WHERE flag IS NOT NULL ORDER BY school_id',
  );
  if (schools.length === 0) return;
  if (!deps.keys) {
    throw new Error(
      'This migration seals existing records and needs the master key: run it with the ' +
        "server's settings (LANTERN_MASTER_KEY or LANTERN_MASTER_KEY_FILE).",
    );
  }
  const keys = deps.keys();
  for (const { school_id } of schools) {
    const sealer = await keys.forSchool(tx, school_id);
    const rows = await tx.query<{ id: string; flag: string }>(
      'SELECT id, flag FROM pupil_flags WHERE school_id = $1 AND flag IS NOT NULL',
      [school_id],
    );
    const sealed = rows.map((r) => ({
      id: r.id,
      k: sealer.seal('pupil_flags.kind', r.id, r.flag).toString('hex'),
    }));
    for (let i = 0; i < sealed.length; i += SLICE) {
      await tx.query(
        `UPDATE pupil_flags t SET kind_sealed = decode(n.k, 'hex'), flag = NULL
         FROM json_to_recordset($1::json) AS n(id uuid, k text) WHERE t.id = n.id`,
        [JSON.stringify(sealed.slice(i, i + SLICE))],
      );
    }
  }
};

/**
 * Migration 0060: the answers of the one parent who had started each admission form, copied into
 * `admission_responses` still sealed as `admission_requests.answers` of the request, re-sealed as
 * `admission_responses.answers` bound to "<request>:<contact>"; each decision's reason re-sealed
 * bound to "<request>:<contact>:<field>" (it named no parent before).
 */
const resealAdmissionAnswers: MigrationStep = async (tx, deps) => {
  const schools = await tx.query<{ school_id: string }>(
    `SELECT school_id FROM admission_responses UNION
     SELECT school_id FROM admission_decisions WHERE reason IS NOT NULL ORDER BY school_id`,
  );
  if (schools.length === 0) return;
  if (!deps.keys) {
    throw new Error(
      'This migration re-seals existing records and needs the master key: run it with the ' +
        "server's settings (LANTERN_MASTER_KEY or LANTERN_MASTER_KEY_FILE).",
    );
  }
  const keys = deps.keys();
  for (const { school_id } of schools) {
    const sealer = await keys.forSchool(tx, school_id);
    const answers = await tx.query<{ request_id: string; contact_id: string; answers: Buffer }>(
      'SELECT request_id, contact_id, answers FROM admission_responses WHERE school_id = $1',
      [school_id],
    );
    for (const r of answers) {
      const value = sealer.openJson<unknown>('admission_requests.answers', r.request_id, r.answers);
      await tx.query(
        `UPDATE admission_responses SET answers = $4
         WHERE school_id = $1 AND request_id = $2 AND contact_id = $3`,
        [
          school_id,
          r.request_id,
          r.contact_id,
          sealer.sealJson('admission_responses.answers', `${r.request_id}:${r.contact_id}`, value),
        ],
      );
    }
    const reasons = await tx.query<{
      request_id: string;
      contact_id: string;
      field: string;
      reason: Buffer;
    }>(
      `SELECT request_id, contact_id, field, reason FROM admission_decisions
       WHERE school_id = $1 AND reason IS NOT NULL`,
      [school_id],
    );
    for (const d of reasons) {
      const text = sealer.open(
        'admission_decisions.reason',
        `${d.request_id}:${d.field}`,
        d.reason,
      );
      await tx.query(
        `UPDATE admission_decisions SET reason = $5
         WHERE school_id = $1 AND request_id = $2 AND contact_id = $3 AND field = $4`,
        [
          school_id,
          d.request_id,
          d.contact_id,
          d.field,
          sealer.seal(
            'admission_decisions.reason',
            `${d.request_id}:${d.contact_id}:${d.field}`,
            text,
          ),
        ],
      );
    }
  }
};

/** Every step a migration may name, by name. */
export const MIGRATION_STEPS: Readonly<Record<string, MigrationStep>> = {
  seal_pupil_flag_kinds: sealFlagKinds,
  reseal_admission_answers_per_parent: resealAdmissionAnswers,
  seal_mis_fields: sealInPlace([
    {
      table: 'pupils',
      columns: [
        'pupils.religion_code',
        'pupils.religion',
        'pupils.ethnicity_code',
        'pupils.ethnicity',
        'pupils.first_language_code',
        'pupils.first_language',
        'pupils.sen_status',
        'pupils.address',
        'pupils.photo',
      ],
      rekeyMisHash: true,
    },
    { table: 'pupil_sen_needs', columns: ['pupil_sen_needs.code', 'pupil_sen_needs.description'] },
    {
      table: 'pupil_sen_provisions',
      columns: ['pupil_sen_provisions.code', 'pupil_sen_provisions.description'],
    },
    {
      table: 'contacts',
      columns: ['contacts.addresses', 'contacts.phones', 'contacts.emails'],
      rekeyMisHash: true,
    },
  ]),
};
