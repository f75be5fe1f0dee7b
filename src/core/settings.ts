// A school's own policies, stored as JSON on the school and read with defaults filled in.
// Anything missing or out of range falls back to the default, so a hand-edited row can never
// switch a protection off. Later issues add retention settings here.
import {
  defaultPasswordPolicy,
  type PasswordPolicy,
} from '../features/identity/password-policy.ts';

/** Who must give a second factor at sign-in (everyone must to elevate). */
export const SECOND_FACTOR_AT_SIGN_IN = ['everyone', 'readers'] as const;
export type SecondFactorAtSignIn = (typeof SECOND_FACTOR_AT_SIGN_IN)[number];

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
};

export const DEFAULT_SCHOOL_SETTINGS: SchoolSettings = {
  idleTimeoutMinutes: 20,
  idleWarningMinutes: 2,
  absoluteSessionHours: 12,
  elevationMinutes: 15,
  secondFactorAtSignIn: 'readers',
  dormancyDays: 60,
  passwordPolicy: { ...defaultPasswordPolicy },
};

/** Shown beside the expiry setting wherever it is edited. */
export const PASSWORD_EXPIRY_NOTE =
  '0 means passwords never expire. NIST SP 800-63B (section 3.1.1.2) now advises against forced ' +
  'periodic changes, which push people to predictable variations; with a breached-password check ' +
  'and second factors, 0 is the safer choice. The default of 60 days is what schools were promised.';

/** Bounds for each numeric setting: [min, max]. */
export const SETTING_BOUNDS = {
  idleTimeoutMinutes: [1, 240],
  idleWarningMinutes: [0, 10],
  absoluteSessionHours: [1, 24],
  elevationMinutes: [1, 120],
  dormancyDays: [7, 3650],
  minLength: [8, 128],
  historyCount: [0, 24],
  expiryDays: [0, 3650],
} as const;

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
  };
}
