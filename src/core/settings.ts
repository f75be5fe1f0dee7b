// A school's own policies, stored as JSON on the school and read with defaults filled in: sign-in,
// sessions and passwords, and the records workflow's numbers (how long a DSL-team alert may wait
// before it escalates, the vault's upload limit). Anything missing or out of range
// (SETTING_BOUNDS, src/shared/limits.ts) falls back to the default, so a hand-edited row can
// never switch a protection off. Administrators change them on the policies page
// (src/features/administration/policies.ts). Later issues add retention settings here.
import type { Queryable } from '../platform/db/engine.ts';
import { SETTING_BOUNDS } from '../shared/limits.ts';
import type { SecondFactorAtSignIn } from '../shared/schemas/administration.ts';

export interface PasswordPolicy {
  /** Minimum length in characters. Never enforced below MIN_PASSWORD_LENGTH_FLOOR (identity). */
  minLength: number;
  /** Require at least one letter, one digit and one symbol (as the seeds promise schools). */
  requireComposition: boolean;
  /** Refuse passwords found in the bundled common and breached password lists, or easily guessed. */
  checkCommon: boolean;
  /** Refuse any of the last N passwords (0 = no history check). */
  historyCount: number;
  /**
   * Days after which a password must be changed; 0 = never. The seeds promise 60 days, but
   * NIST SP 800-63B (§3.1.1.2) now advises against forced periodic changes: they push people to
   * predictable variations. Schools may choose 0 and rely on breach checks and second factors.
   */
  expiryDays: number;
}

export const defaultPasswordPolicy: Readonly<PasswordPolicy> = Object.freeze({
  minLength: 12,
  requireComposition: true,
  checkCommon: true,
  historyCount: 5,
  expiryDays: 60,
});

export type SchoolSettings = {
  /** Sign out after this many minutes without activity. */
  idleTimeoutMinutes: number;
  /** Warn this many minutes before the idle sign-out. */
  idleWarningMinutes: number;
  /** Sign out this many hours after sign-in, active or not. */
  absoluteSessionHours: number;
  /** How long a second-factor elevation (step-up) lasts. */
  elevationMinutes: number;
  /** `readers`: every member of staff whose groups can read records (the default). */
  secondFactorAtSignIn: SecondFactorAtSignIn;
  /** Accounts unused for this many days become dormant and need reactivation. */
  dormancyDays: number;
  passwordPolicy: PasswordPolicy;
  /** Minutes a DSL-team alert may stay unacknowledged before it goes to deputies and the head. */
  alertEscalationMinutes: number;
  /** The largest file the vault accepts, at most VAULT_HARD_LIMIT_BYTES. */
  maxUploadBytes: number;
  /**
   * The protective marking printed on every page of an exported chronology (the Government
   * Security Classifications' "OFFICIAL-SENSITIVE" unless the school uses its own words).
   */
  protectiveMarking: string;
};

/** A marking a school may set: capitals, digits, spaces and - / :, at most 60 characters. */
export const PROTECTIVE_MARKING_PATTERN = /^[A-Z0-9][A-Z0-9 \-/:]{0,59}$/;

export const DEFAULT_SCHOOL_SETTINGS: SchoolSettings = {
  idleTimeoutMinutes: 20,
  idleWarningMinutes: 2,
  absoluteSessionHours: 12,
  elevationMinutes: 15,
  secondFactorAtSignIn: 'readers',
  dormancyDays: 60,
  passwordPolicy: { ...defaultPasswordPolicy },
  alertEscalationMinutes: 60,
  maxUploadBytes: 20 * 1024 * 1024,
  protectiveMarking: 'OFFICIAL-SENSITIVE',
};

type Bound = keyof typeof SETTING_BOUNDS;

function num(v: unknown, d: number, bound: Bound): number {
  const [min, max] = SETTING_BOUNDS[bound];
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : d;
}

function record(raw: unknown): Record<string, unknown> {
  return raw && typeof raw === 'object' && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : {};
}

export function readSettings(raw: unknown): SchoolSettings {
  const s = record(raw);
  const d = DEFAULT_SCHOOL_SETTINGS;
  const p = record(s.passwordPolicy);
  const dp = d.passwordPolicy;
  const idleTimeoutMinutes = num(s.idleTimeoutMinutes, d.idleTimeoutMinutes, 'idleTimeoutMinutes');
  return {
    idleTimeoutMinutes,
    idleWarningMinutes: Math.min(
      num(s.idleWarningMinutes, d.idleWarningMinutes, 'idleWarningMinutes'),
      idleTimeoutMinutes - 1,
    ),
    absoluteSessionHours: num(
      s.absoluteSessionHours,
      d.absoluteSessionHours,
      'absoluteSessionHours',
    ),
    elevationMinutes: num(s.elevationMinutes, d.elevationMinutes, 'elevationMinutes'),
    secondFactorAtSignIn: s.secondFactorAtSignIn === 'everyone' ? 'everyone' : 'readers',
    dormancyDays: num(s.dormancyDays, d.dormancyDays, 'dormancyDays'),
    passwordPolicy: {
      minLength: num(p.minLength, dp.minLength, 'minLength'),
      requireComposition:
        typeof p.requireComposition === 'boolean' ? p.requireComposition : dp.requireComposition,
      checkCommon: typeof p.checkCommon === 'boolean' ? p.checkCommon : dp.checkCommon,
      historyCount: num(p.historyCount, dp.historyCount, 'historyCount'),
      expiryDays: num(p.expiryDays, dp.expiryDays, 'expiryDays'),
    },
    alertEscalationMinutes: num(
      s.alertEscalationMinutes,
      d.alertEscalationMinutes,
      'alertEscalationMinutes',
    ),
    maxUploadBytes: num(s.maxUploadBytes, d.maxUploadBytes, 'maxUploadBytes'),
    protectiveMarking:
      typeof s.protectiveMarking === 'string' &&
      PROTECTIVE_MARKING_PATTERN.test(s.protectiveMarking)
        ? s.protectiveMarking
        : d.protectiveMarking,
  };
}

/** The school's settings, read inside the caller's transaction. */
export async function loadSchoolSettings(q: Queryable, schoolId: string): Promise<SchoolSettings> {
  const [row] = await q.query<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    schoolId,
  ]);
  return readSettings(row?.settings);
}

/** The MIS push limit a school starts with (the API's own hard limit is 100 MB). */
export const DEFAULT_MIS_PUSH_BYTES = 50 * 1024 * 1024;

/**
 * The largest MIS push (bytes) the school accepts: `maxMisPushBytes` in the settings JSON, within
 * SETTING_BOUNDS, else the default. Read apart from SchoolSettings (the sessions and records
 * settings every request loads); the policies page shows and sets it in MB.
 */
export function readMisPushLimit(raw: unknown): number {
  return num(record(raw).maxMisPushBytes, DEFAULT_MIS_PUSH_BYTES, 'maxMisPushBytes');
}

export async function loadMisPushLimit(q: Queryable, schoolId: string): Promise<number> {
  const [row] = await q.query<{ settings: unknown }>('SELECT settings FROM schools WHERE id = $1', [
    schoolId,
  ]);
  return readMisPushLimit(row?.settings);
}
