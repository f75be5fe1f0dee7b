// The school's MIS settings (mis_settings, one row per school, absent = defaults): the guard's
// share of pupils (a full run archiving more is held), the weekday of the weekly full pull, the
// school's own CSV headings, and the pull's cursor. Set by an administrator on the MIS page; the
// cursor only by a successful run (the scheduled pull stores what the feed said to send next).
import type { SchoolTx, Tx } from '../../core/context.ts';
import { badRequest } from '../../core/errors.ts';
import type { MisSettings, MisSettingsBody } from '../../shared/schemas/mis.ts';
import { CONTACT_SYNONYMS, PUPIL_SYNONYMS, normHeading } from './formats/sims-headings.ts';

export const DEFAULT_GUARD_PERCENT = 10;
/** Sunday: the weekly full pull, when the school has not chosen a day. */
export const DEFAULT_FULL_DAY = 0;

export type CsvSynonyms = { pupils: Record<string, string>; contacts: Record<string, string> };

export type LoadedMisSettings = {
  guardPercent: number;
  fullDay: number;
  csvSynonyms: CsvSynonyms;
  cursor: string | null;
  cursorFormat: 'wonde' | 'xporter' | null;
};

type Row = {
  guard_percent: number;
  full_day: number;
  csv_synonyms: Partial<CsvSynonyms> | null;
  cursor: string | null;
  cursor_format: 'wonde' | 'xporter' | null;
};

export async function loadMisSettings(t: SchoolTx): Promise<LoadedMisSettings> {
  const [r] = await t.q<Row>(
    'SELECT guard_percent, full_day, csv_synonyms, cursor, cursor_format FROM mis_settings',
  );
  return {
    guardPercent: r?.guard_percent ?? DEFAULT_GUARD_PERCENT,
    fullDay: r?.full_day ?? DEFAULT_FULL_DAY,
    csvSynonyms: {
      pupils: { ...(r?.csv_synonyms?.pupils ?? {}) },
      contacts: { ...(r?.csv_synonyms?.contacts ?? {}) },
    },
    cursor: r?.cursor ?? null,
    cursorFormat: r?.cursor_format ?? null,
  };
}

/** After a successful pull: what to send next time (null forgets it, forcing a full run). */
export async function storeCursor(
  t: SchoolTx,
  format: 'wonde' | 'xporter',
  cursor: string | null,
): Promise<void> {
  await t.q(
    `INSERT INTO mis_settings (school_id, cursor, cursor_format, updated_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (school_id) DO UPDATE SET cursor = $2, cursor_format = $3, updated_at = $4`,
    [t.schoolId, cursor?.slice(0, 2000) ?? null, cursor === null ? null : format, t.now],
  );
}

/** The built-in headings, and the school's own, as the MIS page shows them. */
export async function readMisSettings(t: Tx): Promise<MisSettings> {
  const s = await loadMisSettings(t);
  const [last] = await t.q<{ full: Date | null; delta: Date | null }>(
    `SELECT max(started_at) FILTER (WHERE kind = 'full') AS full,
       max(started_at) FILTER (WHERE kind = 'delta') AS delta
     FROM mis_sync_runs WHERE status = 'applied'`,
  );
  return {
    guardPercent: s.guardPercent,
    fullDay: s.fullDay,
    csvSynonyms: s.csvSynonyms,
    builtInSynonyms: {
      pupils: Object.fromEntries(Object.entries(PUPIL_SYNONYMS).map(([k, v]) => [k, [...v]])),
      contacts: Object.fromEntries(Object.entries(CONTACT_SYNONYMS).map(([k, v]) => [k, [...v]])),
    },
    hasCursor: s.cursor !== null,
    lastFullRunAt: last?.full?.toISOString() ?? null,
    lastDeltaRunAt: last?.delta?.toISOString() ?? null,
  };
}

function checkSynonyms(
  which: 'pupils' | 'contacts',
  given: Record<string, string>,
): Record<string, string> {
  const columns = which === 'pupils' ? PUPIL_SYNONYMS : CONTACT_SYNONYMS;
  const out: Record<string, string> = {};
  for (const [heading, column] of Object.entries(given)) {
    const h = normHeading(heading);
    if (h === '') throw badRequest(`A ${which} heading is empty.`);
    if (!Object.hasOwn(columns, column))
      throw badRequest(`"${column.slice(0, 40)}" is not a Lantern ${which} column.`);
    out[h] = column;
  }
  return out;
}

export async function saveMisSettings(t: Tx, body: MisSettingsBody): Promise<MisSettings> {
  const synonyms: CsvSynonyms = {
    pupils: checkSynonyms('pupils', body.csvSynonyms.pupils),
    contacts: checkSynonyms('contacts', body.csvSynonyms.contacts),
  };
  await t.q(
    `INSERT INTO mis_settings (school_id, guard_percent, full_day, csv_synonyms, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (school_id) DO UPDATE SET guard_percent = $2, full_day = $3, csv_synonyms = $4,
       updated_at = $5`,
    [t.schoolId, body.guardPercent, body.fullDay, JSON.stringify(synonyms), t.now],
  );
  await t.audit({
    action: 'mis.settings_changed',
    details: {
      guardPercent: body.guardPercent,
      fullDay: body.fullDay,
      synonyms: Object.keys(synonyms.pupils).length + Object.keys(synonyms.contacts).length,
    },
  });
  return readMisSettings(t);
}
