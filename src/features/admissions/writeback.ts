// The MIS write-back queue (issue 21): accepted fields wait here until a member exports them as a
// CSV file the school imports into SIMS (docs/MIS-WRITEBACK.md gives the columns and how). Export
// marks every row it carries (so a row goes once) and audits each row and the file (its SHA-256).
// Lantern's own copy of the pupil is NOT changed: the MIS stays the source of truth and the next
// feed brings the change back. No connector write endpoint is used: neither Wonde's nor Xporter's
// write API is described in this codebase, so none is called (see the doc).
import { createHash, randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import type { WritebackFile, WritebackQueue } from '../../shared/admissions.ts';
import { csvRow } from '../../shared/csv.ts';
import {
  describeCode,
  misField,
  showAnswer,
  type AnswerValue,
  type ContactAnswer,
} from '../../shared/cbds.ts';

export const WRITEBACK_COLUMNS = [
  'Lantern Row ID',
  'UPN',
  'Admission Number',
  'Legal Surname',
  'Legal Forename',
  'Date of Birth',
  'Field',
  'Code',
  'Value',
  'Contact Priority',
  'Contact Surname',
  'Contact Forename',
  'Relationship',
  'Parental Responsibility',
  'Telephone',
  'Email',
  'Accepted On',
] as const;

type Pending = {
  id: string;
  pupil_id: string;
  field: string;
  value: Buffer;
  queued_at: Date;
  first_name: string;
  last_name: string;
  legal_first_name: string | null;
  legal_last_name: string | null;
  upn: string | null;
  admission_number: string | null;
  date_of_birth: string | null;
};

const PENDING_SQL = `SELECT w.id, w.pupil_id, w.field, w.value, w.queued_at, p.first_name,
    p.last_name, p.legal_first_name, p.legal_last_name, p.upn, p.admission_number,
    p.date_of_birth::text AS date_of_birth
  FROM mis_writeback_rows w JOIN pupils p ON p.id = w.pupil_id
  WHERE w.export_id IS NULL ORDER BY w.queued_at, w.id`;

export async function writebackQueue(t: Tx): Promise<WritebackQueue> {
  const rows = await t.q<Pending>(PENDING_SQL);
  const sealer = await t.sealer();
  const exports = await t.q<{ id: string; exported_at: Date; row_count: number; sha256: string }>(
    'SELECT id, exported_at, row_count, sha256 FROM mis_writeback_exports ORDER BY exported_at DESC LIMIT 20',
  );
  await t.audit({ action: 'mis_writeback.queue_viewed', details: { count: rows.length } });
  return {
    pending: rows.map((r) => {
      const field = misField(r.field)!;
      const value = sealer.openJson<AnswerValue>('mis_writeback_rows.value', r.id, r.value);
      return {
        id: r.id,
        pupilName: `${r.first_name} ${r.last_name}`,
        field: field.key as WritebackQueue['pending'][number]['field'],
        label: field.label,
        value: showAnswer(field, value),
        queuedAt: new Date(r.queued_at).toISOString(),
      };
    }),
    exports: exports.map((e) => ({
      id: e.id,
      exportedAt: new Date(e.exported_at).toISOString(),
      rows: e.row_count,
      sha256: e.sha256,
    })),
    allowed: rows.length > 0 ? ['export'] : [],
  };
}

/** A UK number given in international form, as SIMS keeps it (and never read as a formula). */
function nationalPhone(n: string): string {
  const s = n.replace(/\s+/g, ' ').trim();
  return s.startsWith('+44')
    ? `0${s
        .slice(3)
        .trim()
        .replace(/^\(0\)\s*/, '')}`
    : s;
}

function cells(r: Pending, value: AnswerValue): (string | number | null)[] {
  const field = misField(r.field)!;
  const pupil = [
    r.id,
    r.upn,
    r.admission_number,
    r.legal_last_name ?? r.last_name,
    r.legal_first_name ?? r.first_name,
    r.date_of_birth,
    field.sims,
  ];
  if (field.kind === 'contact') {
    const c = value as ContactAnswer;
    return [
      ...pupil,
      c.relationship,
      '',
      field.priority ?? null,
      c.surname,
      c.forename,
      describeCode('relationship', c.relationship),
      c.parentalResponsibility ? 'Y' : 'N',
      nationalPhone(c.telephone),
      c.email,
    ];
  }
  const text = value as string;
  const coded = field.kind === 'code';
  return [
    ...pupil,
    coded ? text : '',
    coded ? describeCode(field.codeSet!, text) : text,
    ...Array<null>(7).fill(null),
  ];
}

export async function exportWriteback(t: Tx): Promise<WritebackFile> {
  const rows = await t.q<Pending>(`${PENDING_SQL} FOR UPDATE OF w`);
  if (rows.length === 0)
    throw new DomainError(
      'conflict',
      'nothing_to_export',
      'There is nothing waiting to go back to the MIS.',
    );
  const sealer = await t.sealer();
  const date = t.now.toISOString().slice(0, 10);
  let csv = csvRow(WRITEBACK_COLUMNS);
  for (const r of rows) {
    const value = sealer.openJson<AnswerValue>('mis_writeback_rows.value', r.id, r.value);
    csv += csvRow([...cells(r, value), date]);
  }
  const sha256 = createHash('sha256').update(csv).digest('hex');
  const id = randomUUID();
  await t.q(
    `INSERT INTO mis_writeback_exports (id, school_id, exported_by, exported_at, row_count, sha256)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, t.schoolId, t.actor.userId, t.now, rows.length, sha256],
  );
  await t.q('UPDATE mis_writeback_rows SET export_id = $1 WHERE id = ANY($2::uuid[])', [
    id,
    rows.map((r) => r.id),
  ]);
  for (const r of rows)
    await t.audit({
      action: 'mis_writeback.row_exported',
      targetType: 'mis_writeback_row',
      targetId: r.id,
      details: { field: r.field, pupil: r.pupil_id, export: id },
    });
  await t.audit({
    action: 'mis_writeback.exported',
    targetType: 'mis_writeback_export',
    targetId: id,
    details: { rows: rows.length, sha256 },
  });
  return { id, filename: `lantern-mis-writeback-${date}.csv`, rows: rows.length, sha256, csv };
}
