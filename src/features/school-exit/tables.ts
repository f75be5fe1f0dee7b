// Where a school's rows are (issue 15, a school's exit): read from the database's own catalogue,
// never from a list kept by hand, so a table added later is exported and deleted with the rest.
// Every tenant table carries school_id (migration 0009 made it so, and tenancy.test.ts keeps it
// so); a few platform tables point at a school by another column (a transfer's receiving school,
// an inbox file's sending school): those are other schools' rows, whose link is cleared when the
// school goes. To change safely: keep the walk generic, and school-exit.test.ts's check over every
// uuid column of every table passing on both engines.
import type { Queryable } from '../../platform/db/engine.ts';
import { SEALED_COLUMNS, type SealedColumn } from '../../platform/crypto/sealed-columns.ts';

export type TenantTable = {
  name: string;
  /** Columns in order, with their SQL types (for keyset paging). */
  columns: { name: string; type: string }[];
  /** The primary key's columns; empty when the table has none (paged by ctid then). */
  key: string[];
  /** Physical column → its declared sealed column (`x` or `x_sealed` in SEALED_COLUMNS). */
  sealed: Map<string, SealedColumn>;
};

/** A column of another table that names a school without being its tenant (school_id). */
export type SchoolReference = { table: string; column: string; nullable: boolean };

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Quotes a catalogue name, refusing anything that is not a plain identifier. */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`unexpected identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Every base table with a school_id column, each with its columns, key and sealed columns. */
export async function tenantTables(q: Queryable): Promise<TenantTable[]> {
  const rows = await q.query<{ table_name: string; columns: { name: string; type: string }[] }>(
    `SELECT c.relname AS table_name,
       json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
         ORDER BY a.attnum) AS columns
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relkind = 'r' AND EXISTS (SELECT 1 FROM pg_attribute s
       WHERE s.attrelid = c.oid AND s.attname = 'school_id' AND NOT s.attisdropped)
     GROUP BY c.relname ORDER BY c.relname`,
  );
  const keys = await q.query<{ table_name: string; key: string[] }>(
    `SELECT c.relname AS table_name,
       array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS key
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey::int2[])
     WHERE i.indisprimary GROUP BY c.relname`,
  );
  const keyOf = new Map(keys.map((k) => [k.table_name, k.key]));
  return rows.map((r) => {
    const sealed = new Map<string, SealedColumn>();
    for (const col of r.columns) {
      const plain = col.name.endsWith('_sealed') ? col.name.slice(0, -'_sealed'.length) : col.name;
      const declared = `${r.table_name}.${plain}`;
      if (declared in SEALED_COLUMNS) sealed.set(col.name, declared as SealedColumn);
    }
    return { name: r.table_name, columns: r.columns, key: keyOf.get(r.table_name) ?? [], sealed };
  });
}

/**
 * The order to delete the tenant tables in: a table before every table it references (its
 * foreign keys point at rows still there until it is gone). A cycle is broken where it is found;
 * the delete retries what a cycle leaves behind (delete.ts).
 */
export async function deletionOrder(q: Queryable, tables: readonly string[]): Promise<string[]> {
  const edges = await q.query<{ child: string; parent: string }>(
    `SELECT DISTINCT ch.relname AS child, pa.relname AS parent
     FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
     WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`,
  );
  const set = new Set(tables);
  const referencedBy = new Map<string, string[]>();
  for (const e of edges) {
    if (!set.has(e.child) || !set.has(e.parent)) continue;
    referencedBy.set(e.parent, [...(referencedBy.get(e.parent) ?? []), e.child]);
  }
  // Depth-first: every table that references T is placed before T.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: string) => {
    if (state.get(t)) return;
    state.set(t, 'visiting');
    for (const child of referencedBy.get(t) ?? []) visit(child);
    state.set(t, 'done');
    order.push(t);
  };
  for (const t of [...tables].sort()) visit(t);
  return order;
}

/** Columns outside the tenant column that reference schools(id): other schools' links to it. */
export async function schoolReferences(q: Queryable): Promise<SchoolReference[]> {
  const rows = await q.query<{ table_name: string; column_name: string; nullable: boolean }>(
    `SELECT ch.relname AS table_name, a.attname AS column_name, NOT a.attnotnull AS nullable
     FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid
     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
     WHERE k.contype = 'f' AND k.confrelid = 'schools'::regclass
       AND array_length(k.conkey, 1) = 1 AND a.attname <> 'school_id' AND ch.relname <> 'schools'
     ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name, nullable: r.nullable }));
}
