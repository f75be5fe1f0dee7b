// Pupils: matched by MIS id, then UPN (a change of MIS never duplicates a child). New pupils
// join, changed ones are updated, those missing from a full snapshot (or named as leavers) are
// archived with their history kept, and returners are restored. Fields corrected in Lantern are
// left alone and reported as conflicts. Every move writes a pupil event for the chronology.
// The special-category fields (religion, ethnicity, first language, SEN status, address, photo;
// SEN needs and provisions) are sealed under the school's key before they reach SQL (issue 11,
// finding 9): the record is compared with last time through a keyed digest of the clear record
// (state.ts), so the same record twice still changes nothing.
import {
  VULNERABILITY_KINDS,
  type Pupil,
  type Snapshot,
  type VulnerabilityKind,
} from '../snapshot.ts';
import { placements } from './groups.ts';
import { inSlices, sealedHex, type SyncState } from './state.ts';
import { flagRows, flagsToReplace } from './flags.ts';
import { PUPIL_FIELDS, type PupilField } from '../../../shared/schemas/pupils.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';
import type { SealedColumn } from '../../../platform/crypto/sealed-columns.ts';

type Existing = {
  id: string;
  mis_id: string | null;
  upn: string | null;
  mis_hash: string | null;
  archived_at: Date | null;
  form: string | null;
  year_group: string | null;
};

// The columns a sync writes, which are also the fields a school can mark as locally corrected,
// are declared once in src/shared/schemas/pupils.ts (PUPIL_FIELDS).

function rowOf(p: Pupil, year: string | null, form: string | null): Record<PupilField, unknown> {
  return {
    upn: p.upn,
    uln: p.uln,
    admission_number: p.admissionNumber,
    first_name: p.forename,
    last_name: p.surname,
    middle_names: p.middleNames,
    legal_first_name: p.legalForename,
    legal_last_name: p.legalSurname,
    display_name: p.displayName,
    date_of_birth: p.dateOfBirth,
    gender: p.gender,
    entry_date: p.entryDate,
    leaving_date: p.leavingDate,
    year_group: year,
    form,
    sen_status: p.senStatus,
    fsm_eligible: p.fsmEligible,
    fsm_end_date: p.fsmEndDate,
    pupil_premium: p.pupilPremium,
    eal: p.eal,
    gifted: p.gifted,
    religion_code: p.religion.code,
    religion: p.religion.description,
    ethnicity_code: p.ethnicity.code,
    ethnicity: p.ethnicity.description,
    first_language_code: p.firstLanguage.code,
    first_language: p.firstLanguage.description,
    address: p.address,
    attendance_stats: p.attendance,
    sibling_mis_ids: p.siblingMisIds,
    photo: p.photo,
  };
}

/** The pupil fields stored sealed, each with its declared column (bound into the ciphertext). */
export const SEALED_PUPIL_FIELDS = {
  religion_code: 'pupils.religion_code',
  religion: 'pupils.religion',
  ethnicity_code: 'pupils.ethnicity_code',
  ethnicity: 'pupils.ethnicity',
  first_language_code: 'pupils.first_language_code',
  first_language: 'pupils.first_language',
  sen_status: 'pupils.sen_status',
  address: 'pupils.address',
  photo: 'pupils.photo',
} as const satisfies Partial<Record<PupilField, SealedColumn>>;
type SealedPupilField = keyof typeof SEALED_PUPIL_FIELDS;
const isSealedField = (f: string): f is SealedPupilField => f in SEALED_PUPIL_FIELDS;

/** The row as SQL receives it: every sealed field replaced by its envelope (bytea as hex). */
function sealedRow(sealer: Sealer, id: string, row: Record<PupilField, unknown>) {
  const out: Record<string, unknown> = { ...row };
  for (const field of Object.keys(SEALED_PUPIL_FIELDS) as SealedPupilField[]) {
    out[field] = sealedHex(sealer, SEALED_PUPIL_FIELDS[field], id, row[field]);
  }
  return out;
}

/** A sealed pupil field as stored (bytea) back to the value the MIS sent. */
export function openPupilField(
  sealer: Sealer,
  field: SealedPupilField,
  id: string,
  stored: Buffer | null,
): unknown {
  if (stored === null) return null;
  const column = SEALED_PUPIL_FIELDS[field];
  return column === 'pupils.address' || column === 'pupils.photo'
    ? sealer.openJson(column, id, stored)
    : sealer.open(column, id, stored);
}

type Event = {
  pupil_id: string;
  kind: string;
  from_value: string | null;
  to_value: string | null;
  happened_at: string;
};

export async function syncPupils(s: SyncState, snap: Snapshot): Promise<void> {
  const existing = await s.q.query<Existing>(
    'SELECT id, mis_id, upn, mis_hash, archived_at, form, year_group FROM pupils',
  );
  const byMis = new Map<string, Existing>();
  const byUpn = new Map<string, Existing>();
  for (const e of existing) {
    if (e.mis_id) byMis.set(e.mis_id, e);
    if (e.upn) byUpn.set(e.upn, e);
    if (e.mis_id) s.pupilIds.set(e.mis_id, e.id);
  }
  const overrides = await loadOverrides(s);
  const place = placements(s, snap);
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const events: Event[] = [];
  const rewritten: string[] = [];
  const seen = new Set<string>();
  const nowIso = s.now.toISOString();
  const newFlags: Record<string, unknown>[] = [];
  const stated = new Map<string, Set<VulnerabilityKind>>();
  const newNeeds: Record<string, unknown>[] = [];
  const newProvisions: Record<string, unknown>[] = [];

  for (const p of snap.pupils) {
    const old = byMis.get(p.misId) ?? (p.upn ? byUpn.get(p.upn) : undefined);
    const placed = place.get(p.misId);
    const year = placed
      ? (placed.year ?? p.yearGroup)
      : s.kind === 'full'
        ? p.yearGroup
        : (old?.year_group ?? p.yearGroup);
    const form = placed ? placed.form : s.kind === 'full' ? null : (old?.form ?? null);
    const row = rowOf(p, year, form);
    // The flags and SEN history are part of what "the same record as last time" means: a pupil
    // whose only change is a new child-in-need date is a changed pupil.
    const history = {
      flags: p.flags,
      statedFlags: p.statedFlags ?? null,
      senNeeds: p.senNeeds,
      senProvisions: p.senProvisions,
    };
    const hash = s.hash({ ...row, ...history });
    let id: string;
    if (!old) {
      id = crypto.randomUUID();
      inserts.push({ id, mis_id: p.misId, mis_hash: hash, ...sealedRow(s.sealer, id, row) });
      events.push({
        pupil_id: id,
        kind: 'joined',
        from_value: null,
        to_value: form,
        happened_at: p.entryDate ?? nowIso,
      });
      s.pupils.added += 1;
    } else {
      id = old.id;
      seen.add(id);
      const kept = overrides.get(id);
      if (kept) {
        for (const [field, current] of kept) {
          if (JSON.stringify(row[field] ?? null) !== JSON.stringify(current ?? null)) {
            s.conflicts.push({ kind: 'locally_corrected', pupilId: id, field });
          }
          row[field] = current;
        }
      }
      const finalHash = kept ? s.hash({ ...row, ...history }) : hash;
      const returning = old.archived_at !== null;
      if (old.mis_hash === finalHash && old.mis_id === p.misId && !returning) {
        s.pupilIds.set(p.misId, id);
        continue;
      }
      updates.push({ id, mis_id: p.misId, mis_hash: finalHash, ...sealedRow(s.sealer, id, row) });
      if (returning) {
        events.push({
          pupil_id: id,
          kind: 'returned',
          from_value: null,
          to_value: row.form as string | null,
          happened_at: nowIso,
        });
        s.pupils.restored += 1;
      } else s.pupils.changed += 1;
      if (!returning && old.form !== row.form) {
        events.push({
          pupil_id: id,
          kind: 'changed_form',
          from_value: old.form,
          to_value: row.form as string | null,
          happened_at: nowIso,
        });
      }
      if (!returning && old.year_group !== row.year_group) {
        events.push({
          pupil_id: id,
          kind: 'changed_year',
          from_value: old.year_group,
          to_value: row.year_group as string | null,
          happened_at: nowIso,
        });
      }
    }
    s.pupilIds.set(p.misId, id);
    rewritten.push(id);
    stated.set(id, new Set(p.statedFlags ?? VULNERABILITY_KINDS));
    newFlags.push(...flagRows(s, id, p));
    for (const n of p.senNeeds) {
      const needId = crypto.randomUUID();
      newNeeds.push({
        id: needId,
        pupil_id: id,
        code: sealedHex(s.sealer, 'pupil_sen_needs.code', needId, n.code),
        description: sealedHex(s.sealer, 'pupil_sen_needs.description', needId, n.description),
        rank: n.rank,
        starts_on: n.startDate,
        ends_on: n.endDate,
      });
    }
    for (const n of p.senProvisions) {
      const provisionId = crypto.randomUUID();
      newProvisions.push({
        id: provisionId,
        pupil_id: id,
        code: sealedHex(s.sealer, 'pupil_sen_provisions.code', provisionId, n.code),
        description: sealedHex(
          s.sealer,
          'pupil_sen_provisions.description',
          provisionId,
          n.description,
        ),
        starts_on: n.startDate,
        ends_on: n.endDate,
      });
    }
  }

  const cols = `mis_id, mis_hash, ${PUPIL_FIELDS.join(', ')}`;
  await inSlices(inserts, 500, async (slice) => {
    await s.q.query(
      `INSERT INTO pupils (id, school_id, ${cols})
       SELECT id, $2, ${cols} FROM json_populate_recordset(NULL::pupils, $1::json)`,
      [JSON.stringify(slice), s.schoolId],
    );
  });
  const sets = ['mis_id', 'mis_hash', ...PUPIL_FIELDS].map((c) => `${c} = n.${c}`).join(', ');
  await inSlices(updates, 500, async (slice) => {
    await s.q.query(
      `UPDATE pupils p SET ${sets}, archived_at = NULL, updated_at = $2
       FROM json_populate_recordset(NULL::pupils, $1::json) n WHERE p.id = n.id`,
      [JSON.stringify(slice), s.now],
    );
  });
  await replaceHistory(s, rewritten, stated, newFlags, newNeeds, newProvisions);
  await archiveLeavers(s, snap, existing, seen, events);
  await inSlices(events, 1000, async (slice) => {
    await s.q.query(
      `INSERT INTO pupil_events (school_id, run_id, pupil_id, kind, from_value, to_value, happened_at)
       SELECT $2, $3, pupil_id, kind, from_value, to_value, happened_at
       FROM json_populate_recordset(NULL::pupil_events, $1::json)`,
      [JSON.stringify(slice), s.schoolId, s.runId],
    );
  });
}

async function replaceHistory(
  s: SyncState,
  ids: string[],
  stated: Map<string, Set<VulnerabilityKind>>,
  flags: Record<string, unknown>[],
  needs: Record<string, unknown>[],
  provisions: Record<string, unknown>[],
): Promise<void> {
  if (ids.length === 0) return;
  const oldFlags = await flagsToReplace(s, ids, stated);
  await inSlices(oldFlags, 2000, async (slice) => {
    await s.q.query('DELETE FROM pupil_flags WHERE id = ANY($1::uuid[])', [slice]);
  });
  await inSlices(ids, 2000, async (slice) => {
    await s.q.query('DELETE FROM pupil_sen_needs WHERE pupil_id = ANY($1::uuid[])', [slice]);
    await s.q.query('DELETE FROM pupil_sen_provisions WHERE pupil_id = ANY($1::uuid[])', [slice]);
  });
  const put = async (table: string, cols: string, rows: Record<string, unknown>[], extra = '') => {
    await inSlices(rows, 2000, async (slice) => {
      await s.q.query(
        `INSERT INTO ${table} (school_id, ${cols}${extra ? ', source' : ''})
         SELECT $2, ${cols}${extra} FROM json_populate_recordset(NULL::${table}, $1::json)`,
        [JSON.stringify(slice), s.schoolId],
      );
    });
  };
  await put('pupil_flags', 'id, pupil_id, kind_sealed, starts_on, ends_on', flags, `, 'mis'`);
  await put('pupil_sen_needs', 'id, pupil_id, code, description, rank, starts_on, ends_on', needs);
  await put(
    'pupil_sen_provisions',
    'id, pupil_id, code, description, starts_on, ends_on',
    provisions,
  );
}

async function archiveLeavers(
  s: SyncState,
  snap: Snapshot,
  existing: Existing[],
  seen: Set<string>,
  events: Event[],
): Promise<void> {
  const leaving = new Map<string, string | null>();
  if (s.kind === 'full') {
    for (const e of existing)
      if (e.mis_id && !e.archived_at && !seen.has(e.id)) leaving.set(e.id, null);
  }
  const byMis = new Map(existing.filter((e) => e.mis_id).map((e) => [e.mis_id, e]));
  for (const d of snap.deletions) {
    if (d.entity !== 'pupil') continue;
    const e = byMis.get(d.misId);
    if (e && !e.archived_at) leaving.set(e.id, d.date);
  }
  await restorePupils(s, snap, byMis, seen, leaving, events);
  if (leaving.size === 0) return;
  const ids = [...leaving.keys()];
  await s.q.query(
    'UPDATE pupils SET archived_at = $2, updated_at = $2 WHERE id = ANY($1::uuid[])',
    [ids, s.now],
  );
  for (const [id, date] of leaving) {
    events.push({
      pupil_id: id,
      kind: 'left',
      from_value: null,
      to_value: null,
      happened_at: date ?? s.now.toISOString(),
    });
  }
  s.pupils.archived += ids.length;
}

/**
 * Wonde's `deletions` rows with `restored_at`: in a delta, an archived pupil the feed restored
 * comes back on roll (once: a second run finds them on roll and changes nothing). In a full
 * snapshot the students list alone decides, so a restoration there changes nothing by itself.
 */
async function restorePupils(
  s: SyncState,
  snap: Snapshot,
  byMis: Map<string | null, Existing>,
  seen: Set<string>,
  leaving: Map<string, string | null>,
  events: Event[],
): Promise<void> {
  if (s.kind === 'full') return;
  const ids = new Set<string>();
  for (const r of snap.restorations) {
    if (r.entity !== 'pupil') continue;
    const e = byMis.get(r.misId);
    if (e && e.archived_at && !seen.has(e.id) && !leaving.has(e.id)) ids.add(e.id);
  }
  if (ids.size === 0) return;
  await s.q.query(
    'UPDATE pupils SET archived_at = NULL, updated_at = $2 WHERE id = ANY($1::uuid[]) AND archived_at IS NOT NULL',
    [[...ids], s.now],
  );
  for (const id of ids) {
    events.push({
      pupil_id: id,
      kind: 'returned',
      from_value: null,
      to_value: null,
      happened_at: s.now.toISOString(),
    });
  }
  s.pupils.restored += ids.size;
}

/** Live overrides: pupil id → field → the value Lantern holds now (a sealed one opened). */
async function loadOverrides(s: SyncState): Promise<Map<string, Map<PupilField, unknown>>> {
  const rows = await s.q.query<{ pupil_id: string; field: string; value: unknown }>(
    `SELECT o.pupil_id, o.field, to_jsonb(p) -> o.field AS value
     FROM mis_overrides o JOIN pupils p ON p.id = o.pupil_id WHERE o.removed_at IS NULL`,
  );
  const out = new Map<string, Map<PupilField, unknown>>();
  for (const r of rows) {
    if (!(PUPIL_FIELDS as readonly string[]).includes(r.field)) continue;
    const m = out.get(r.pupil_id) ?? new Map<PupilField, unknown>();
    // to_jsonb writes a bytea as "\\x" and its hex.
    const value =
      isSealedField(r.field) && typeof r.value === 'string'
        ? openPupilField(s.sealer, r.field, r.pupil_id, Buffer.from(r.value.slice(2), 'hex'))
        : r.value;
    m.set(r.field as PupilField, value);
    out.set(r.pupil_id, m);
  }
  return out;
}
