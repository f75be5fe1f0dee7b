// The choices of why a second factor is reset, for the staff and the parents' reset forms.
import {
  FACTOR_RESET_REASONS,
  FACTOR_RESET_REASON_LABELS,
  type FactorResetReason,
} from '../../../../src/shared/factor-reset.ts';

export const FACTOR_RESET_OPTIONS: readonly (readonly [FactorResetReason, string])[] =
  FACTOR_RESET_REASONS.map((r) => [r, FACTOR_RESET_REASON_LABELS[r]] as const);
