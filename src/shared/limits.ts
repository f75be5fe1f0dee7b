// Limits the server enforces and the web app shows before a person submits, declared once so the
// two can never disagree. No Node, no database.

export const MAX_LINKED_PUPILS = 30;
export const MAX_CONCERN_TEXT = 20_000;
/** A device clock a little ahead of the server's must not make "just now" a future date. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MIN_RATIONALE_LENGTH = 20;
export const MAX_OUTCOME_LENGTH = 500;
export const MAX_RATIONALE_LENGTH = 5_000;
