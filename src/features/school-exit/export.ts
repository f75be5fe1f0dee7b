// `lantern school export` (issue 15, a school's exit): the whole school handed back as a readable
// archive — a JSON file per table (every record and version, MIS data, settings, groups, holds,
// certificates, the data-protection registers, the audit chain) with sealed columns opened,
// attachments and documents as files, a chronology PDF per pupil, a README and a manifest of
// SHA-256s — inside a password-protected 7-Zip archive (archive.ts).
// What this protects: the school's data leaves only encrypted. The plain files exist only in a
// private temporary folder (0700), removed however the export ends; the password is returned
// once and never stored or logged; the confirmation code is written only inside the archive and
// kept only as an argon2id hash. Memory stays flat in the school's size: rows are read a page at
// a time (keyset on the primary key) and written out as they come. One snapshot: on PostgreSQL
// every table is read inside one read-only REPEATABLE READ transaction, so the tables are the
// school as it stood at one instant (a concern logged mid-export is in none of them or all). The
// chronology PDFs are made after that transaction, from fresh reads: a record written between the
// two may be in a chronology and not in the tables (or the reverse).
// The embedded engine has one connection on which transactions take turns, so holding one for
// the whole export would stop the app: there each page is its own short transaction, consistent
// in itself; the operator's command runs only with the server stopped (nothing else writes), so
// its export is one state; an export asked for in the app while the school works may include a
// record written during it in one table and not in another (docs/RETENTION.md).
// The export is recorded (school_exports) and audited in the school's chain (school.exported).
// To change safely: keep every table coming from tables.ts's catalogue walk, and
// school-exit.test.ts (which opens the archive with 7-Zip) passing on both engines.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hash as argon2 } from '@node-rs/argon2';
import type { Services } from '../../platform/services.ts';
import { unsafeAsOwner } from '../../platform/db/tenancy.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import type { Sealer } from '../../platform/crypto/school-keys.ts';
import { unsafeAsOperator } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { ident, tenantTables, type TenantTable } from './tables.ts';
import { ExportFolder } from './files.ts';
import { newArchivePassword, newConfirmationCode, writeArchive } from './archive.ts';
import { openSealed, type RowIdRule } from './open-sealed.ts';
import { writeChronologies } from './chronologies.ts';
import { readmeText } from './readme.ts';

/** Rows read per page: small enough to keep memory flat, large enough to keep the database busy. */
export const EXPORT_PAGE = 500;
/** Rows per page of a table holding whole files (each up to the school's upload limit). */
const FILE_PAGE = 4;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sealed columns that hold a whole file (base64): written as files, named in the JSON. */
const FILE_COLUMNS: Record<string, { dir: string; ext: (row: Record<string, unknown>) => string }> =
  {
    'attachment_blobs.content': {
      dir: 'attachments',
      ext: (r) => `.${typeof r.__ext === 'string' ? r.__ext : 'bin'}`,
    },
    'medical_plans.content': {
      dir: 'medical-plans',
      ext: (r) => path.extname(typeof r.file_name === 'string' ? r.file_name : '') || '.bin',
    },
    'dp_request_packs.pdf_file': { dir: 'subject-access-packs', ext: () => '.pdf' },
    'dp_request_packs.json_file': { dir: 'subject-access-packs', ext: () => '.json' },
    'dp_request_packs.csv_file': { dir: 'subject-access-packs', ext: () => '.csv' },
  };

export type ExportResult = {
  exportId: string;
  out: string;
  password: string;
  files: number;
  archiveBytes: number;
  manifestSha256: string;
  rows: Record<string, number>;
  pupils: number;
  /** Sealed values that would not open (should be none; listed in the README if any). */
  unopened: number;
};

export function requireSchoolId(id: string): string {
  if (!UUID.test(id)) {
    throw new DomainError(
      'invalid',
      'not_a_school_id',
      `${id} is not a school id: give the school's id (the UUID that "school create" printed).`,
    );
  }
  return id.toLowerCase();
}

/** The school's name, or a clear refusal when there is no such school. */
export async function schoolNamed(services: Pick<Services, 'db'>, id: string): Promise<string> {
  const [row] = await unsafeAsOwner(services.db, (q) =>
    q.query<{ name: string }>('SELECT name FROM schools WHERE id = $1', [requireSchoolId(id)]),
  );
  if (!row)
    throw new DomainError('not_found', 'no_school', `There is no school with the id ${id}.`);
  return row.name;
}

/** A JSON-ready value: bytes as base64, big integers as text, dates as ISO text. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}

type Page = Record<string, unknown>[];

const pageSize = (t: TenantTable) =>
  [...t.sealed.values()].some((c) => c in FILE_COLUMNS) ? FILE_PAGE : EXPORT_PAGE;

/** One page of the table's rows of the school, after `after` (its key values), in key order. */
async function readPage(
  q: Queryable,
  t: TenantTable,
  schoolId: string,
  after: unknown[] | null,
): Promise<Page> {
  const typeOf = new Map(t.columns.map((c) => [c.name, c.type]));
  const size = pageSize(t);
  const keyed = t.key.length > 0;
  const keyCols = keyed ? t.key.map(ident) : ['ctid'];
  const params: unknown[] = [schoolId];
  let where = 'school_id = $1';
  if (after) {
    const placeholders = after.map((v, i) => {
      params.push(v);
      return `$${i + 2}::${keyed ? typeOf.get(t.key[i]!)! : 'tid'}`;
    });
    where += ` AND (${keyCols.join(', ')}) > (${placeholders.join(', ')})`;
  }
  const extra =
    t.name === 'attachment_blobs'
      ? ', (SELECT a.ext FROM attachments a WHERE a.id = attachment_blobs.attachment_id) AS __ext'
      : '';
  return q.query(
    `SELECT ${keyed ? '' : 'ctid::text AS __ctid, '}*${extra} FROM ${ident(t.name)}
     WHERE ${where} ORDER BY ${keyCols.join(', ')} LIMIT ${size}`,
    params,
  );
}

/** Writes one table's rows as tables/<name>.json; answers how many. */
async function exportTable(
  read: Reader,
  folder: ExportFolder,
  t: TenantTable,
  schoolId: string,
  sealer: Sealer,
  rules: Map<string, RowIdRule>,
  counts: { unopened: number },
): Promise<number> {
  const out = await folder.create(`tables/${t.name}.json`);
  await out.write('[');
  let after: unknown[] | null = null;
  let n = 0;
  for (;;) {
    const page = await read((q) => readPage(q, t, schoolId, after));
    for (const row of page) {
      const obj: Record<string, unknown> = {};
      for (const { name } of t.columns) {
        const v = row[name];
        const declared = t.sealed.get(name);
        if (!declared || v === null || v === undefined) {
          obj[name] = plain(v);
          continue;
        }
        const opened = openSealed(sealer, declared, row, Buffer.from(v as Uint8Array), rules);
        if (!opened.ok) {
          counts.unopened += 1;
          obj[name] = { sealed_base64: Buffer.from(v as Uint8Array).toString('base64') };
          continue;
        }
        const file = FILE_COLUMNS[declared];
        if (file && typeof opened.value === 'string') {
          const rowId =
            [row.id, row.attachment_id].find((v) => typeof v === 'string') ?? `${t.name}-${n}`;
          const rel = `files/${file.dir}/${rowId}${file.ext({ ...row, ...obj })}`;
          await folder.writeWhole(rel, Buffer.from(opened.value, 'base64'));
          obj[name] = { file: rel };
        } else {
          obj[name] = opened.value;
        }
      }
      await out.write(`${n === 0 ? '\n' : ',\n'}${JSON.stringify(obj)}`);
      n += 1;
    }
    if (page.length < pageSize(t)) break;
    const last = page.at(-1)!;
    after = t.key.length > 0 ? t.key.map((k) => plainKey(last[k])) : [last.__ctid];
  }
  await out.write(n === 0 ? ']\n' : '\n]\n');
  await folder.done(out);
  return n;
}

/** Runs a read of the export: in its one snapshot (PostgreSQL) or a short transaction of its own. */
type Reader = <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>;

/**
 * Runs `fn` with a Reader. On PostgreSQL every read goes through one owner transaction, read-only
 * and REPEATABLE READ (its first statement, so its snapshot is taken at its first read); on the
 * embedded engine each read is a short owner transaction of its own (see the note at the top).
 */
async function withSnapshot<T>(
  services: Pick<Services, 'db'>,
  fn: (read: Reader) => Promise<T>,
): Promise<T> {
  if (services.db.engine !== 'postgres') {
    return fn((f) => unsafeAsOwner(services.db, f));
  }
  return unsafeAsOwner(services.db, async (q) => {
    await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // Reads in the snapshot are made one after another (the Queryable is one connection).
    let queue: Promise<unknown> = Promise.resolve();
    const read: Reader = (f) => {
      const next = queue.then(() => f(q));
      queue = next.catch(() => undefined);
      return next;
    };
    return fn(read);
  });
}

export type ExportOptions = {
  /** Told after each step (a table, the chronologies, the archive): steps done of the steps. */
  onProgress?: (done: number, total: number) => Promise<void>;
  /** The folder the plain files are staged in is made here (its removal is the caller's too). */
  onStaging?: (dir: string) => void;
  /** The archive's password, when the caller made it (the app answers it before the job runs). */
  password?: string;
};

/** A key value handed back as a parameter (dates stay dates; bytes stay bytes). */
const plainKey = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/**
 * Exports the school to `out` (which must not exist). Refuses an unknown school or an existing
 * file before writing anything.
 */
export async function exportSchool(
  services: Services,
  schoolIdGiven: string,
  outGiven: string,
  operator: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const schoolId = requireSchoolId(schoolIdGiven);
  const schoolName = await schoolNamed(services, schoolId);
  const out = path.resolve(outGiven);
  if (existsSync(out)) {
    throw new DomainError('conflict', 'file_exists', `${out} exists: choose a new file name.`);
  }
  if (!existsSync(path.dirname(out))) {
    throw new DomainError(
      'invalid',
      'no_folder',
      `The folder ${path.dirname(out)} does not exist.`,
    );
  }
  const exportId = randomUUID();
  const exportedAt = services.clock.now();
  const password = opts.password ?? newArchivePassword();
  const code = newConfirmationCode();
  // Private to this process's user (mkdtemp makes it 0700), removed whatever happens. Its name
  // carries this process's id, so a server's start-up clean-up leaves a running export's folder
  // alone (removeLeftExportFiles).
  const work = await mkdtemp(path.join(tmpdir(), `lantern-export-${process.pid}-`));
  opts.onStaging?.(work);
  try {
    const folder = await ExportFolder.open(work, {
      format: 'lantern-school-export/1',
      export: exportId,
      school: schoolId,
      schoolName,
      exportedAt: exportedAt.toISOString(),
      algorithm: 'sha256',
    });
    const sealer = await unsafeAsOwner(services.db, (q) => services.keys.forSchool(q, schoolId));
    const rules = new Map<string, RowIdRule>();
    const counts = { unopened: 0 };
    const rows: Record<string, number> = {};
    await withSnapshot(services, async (read) => {
      const tables = await read((q) => tenantTables(q));
      const total = tables.length + 3;
      await opts.onProgress?.(0, total);
      await folder.writeWhole(
        'tables/schools.json',
        `${JSON.stringify(
          await read((q) =>
            q.query(
              'SELECT id, name, urn, settings, created_at, trust_id FROM schools WHERE id = $1',
              [schoolId],
            ),
          ),
          null,
          1,
        )}\n`,
      );
      let done = 0;
      for (const t of tables) {
        rows[t.name] = await exportTable(read, folder, t, schoolId, sealer, rules, counts);
        done += 1;
        await opts.onProgress?.(done, total);
      }
    });
    const total = Object.keys(rows).length + 3;
    const pupils = await writeChronologies(services, folder, schoolId, schoolName, operator);
    await opts.onProgress?.(total - 2, total);
    await folder.writeWhole(
      'README.txt',
      readmeText({
        schoolName,
        schoolId,
        exportedAt,
        operator,
        code,
        rows,
        pupils,
        unopened: counts.unopened,
      }),
    );
    const manifest = await folder.finish();
    const files = folder.files + 1;
    await opts.onProgress?.(total - 1, total);
    const archiveBytes = await writeArchive(work, out, password);
    const codeHash = await argon2(code);
    try {
      await unsafeAsOperator(services, operator, async (t) => {
        await t.q(
          `INSERT INTO school_exports (id, school_id, exported_at, exported_by, manifest_sha256,
             code_hash, files, archive_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            exportId,
            schoolId,
            exportedAt,
            operator,
            manifest.sha256,
            codeHash,
            files,
            archiveBytes,
          ],
        );
        await t.audit(schoolId, {
          action: 'school.exported',
          targetType: 'school',
          targetId: schoolId,
          details: { export: exportId, files, manifestSha256: manifest.sha256 },
        });
      });
    } catch (err) {
      // Not recorded, so not handed over: an archive nobody can confirm is removed.
      await rm(out, { force: true });
      throw err;
    }
    await opts.onProgress?.(total, total);
    return {
      exportId,
      out,
      password,
      files,
      archiveBytes,
      manifestSha256: manifest.sha256,
      rows,
      pupils,
      unopened: counts.unopened,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
