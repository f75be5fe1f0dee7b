// A concern's triage (issue 14): the DSL team's first decision on it. "new" until someone in the
// team decides; then triaged with a risk level and a written reason, or no further action (with
// a reason). The labels are the ones the screens and the chronology use.
export const TRIAGE_STATES = ['new', 'triaged', 'no_further_action'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The longest written reason for a triage decision. */
export const MAX_TRIAGE_REASON = 4000;

export function triageLabel(state: TriageState, risk: RiskLevel | null): string {
  switch (state) {
    case 'new':
      return 'New: not yet triaged';
    case 'triaged':
      return `Triaged: ${risk ?? 'unknown'} risk`;
    case 'no_further_action':
      return 'No further action';
    default: {
      const never: never = state;
      return never;
    }
  }
}
