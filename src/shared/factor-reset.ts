// Why a member's or a parent's second factor is reset: one of a fixed list, never free text. The
// reason goes into the audit trail, whose details hold enumerated reasons only (catalogue.ts): a
// typed reason would carry what the trail must not ("her ex-partner has the phone"). Checking who
// is asking happens before the reset (the forms say how); this records why it was done.
import { Type } from 'typebox';

export const FACTOR_RESET_REASONS = [
  'lost_phone',
  'lost_security_key',
  'app_not_working',
  'account_misused',
  'other',
] as const;
export type FactorResetReason = (typeof FACTOR_RESET_REASONS)[number];

/** What each reason says on the forms and in the audit trail. */
export const FACTOR_RESET_REASON_LABELS: Record<FactorResetReason, string> = {
  lost_phone: 'Lost, broken or replaced phone',
  lost_security_key: 'Lost security key or passkey',
  app_not_working: 'Authenticator app not working',
  account_misused: 'Someone else may have used the account',
  other: 'Another reason',
};

export const FactorResetReason = Type.Unsafe<FactorResetReason>(
  Type.Union(FACTOR_RESET_REASONS.map((r) => Type.Literal(r))),
);
