// Limits the server enforces and the web app shows before a person submits, declared once so the
// two can never disagree. No Node, no database.

export const MAX_LINKED_PUPILS = 30;
export const MAX_CONCERN_TEXT = 20_000;
/** A device clock a little ahead of the server's must not make "just now" a future date. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MIN_RATIONALE_LENGTH = 20;
export const MAX_OUTCOME_LENGTH = 500;
export const MAX_RATIONALE_LENGTH = 5_000;

/** The largest upload a school may allow; also the HTTP body limit of the vault's upload route. */
export const VAULT_HARD_LIMIT_BYTES = 50 * 1024 * 1024;
/** The largest MIS push any school may allow; also the HTTP body limit of `POST /api/mis/push`. */
export const MIS_PUSH_HARD_LIMIT_BYTES = 100 * 1024 * 1024;
/**
 * Bounds, [least, most], of each number a school sets (src/core/settings.ts): a stored value out
 * of range reads as the default, and the policies page refuses one.
 */
export const SETTING_BOUNDS = {
  idleTimeoutMinutes: [1, 240],
  idleWarningMinutes: [0, 10],
  absoluteSessionHours: [1, 24],
  elevationMinutes: [1, 120],
  dormancyDays: [7, 3650],
  minLength: [8, 128],
  historyCount: [0, 24],
  expiryDays: [0, 3650],
  /** How long a DSL-team alert may wait before it escalates: 5 minutes to 7 days. */
  alertEscalationMinutes: [5, 7 * 24 * 60],
  maxUploadBytes: [1024, VAULT_HARD_LIMIT_BYTES],
  /** The largest MIS push a school accepts (src/features/mis/push-guard.ts): 1 MB to the hard limit. */
  maxMisPushBytes: [1024 * 1024, MIS_PUSH_HARD_LIMIT_BYTES],
} as const;

/** The longest an agency may be expected to take to respond: a year, in hours. */
export const MAX_RESPONSE_HOURS = 8760;
