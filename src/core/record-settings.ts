// The school-set numbers the records workflow runs on, read from the school's settings JSON with
// defaults filled in: how long a DSL-team alert may wait before it escalates, and the vault's
// upload limit. Kept apart from src/schools/settings.ts (sessions and passwords) on purpose; the
// administrators change both on the policies page (src/admin/policies.ts).
import type { Queryable } from '../platform/db/engine.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../features/vault/file-check.ts';

/** The largest upload limit a school may set; also the HTTP body limit of the upload route. */
export const VAULT_HARD_LIMIT_BYTES = 50 * 1024 * 1024;

/** The least and most minutes a school may let a DSL-team alert wait before it escalates. */
export const ESCALATION_MINUTES_BOUNDS = [5, 7 * 24 * 60] as const;

export type RecordSettings = {
  /** Minutes a DSL-team alert may stay unacknowledged before it goes to deputies and the head. */
  alertEscalationMinutes: number;
  maxUploadBytes: number;
};

export const DEFAULT_RECORD_SETTINGS: RecordSettings = {
  alertEscalationMinutes: 60,
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
};

export function readRecordSettings(raw: unknown): RecordSettings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const num = (v: unknown, d: number, min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : d;
  return {
    alertEscalationMinutes: num(
      s.alertEscalationMinutes,
      DEFAULT_RECORD_SETTINGS.alertEscalationMinutes,
      ...ESCALATION_MINUTES_BOUNDS,
    ),
    maxUploadBytes: num(
      s.maxUploadBytes,
      DEFAULT_RECORD_SETTINGS.maxUploadBytes,
      1024,
      VAULT_HARD_LIMIT_BYTES,
    ),
  };
}

export async function recordSettings(q: Queryable, schoolId: string): Promise<RecordSettings> {
  const [row] = await q.query<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    schoolId,
  ]);
  return readRecordSettings(row?.settings);
}
