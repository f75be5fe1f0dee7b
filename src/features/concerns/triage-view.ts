// How a concern's triage is read back: its newest decision, as one JSON value beside the rest of
// the concern (SELECT_VIEW in read.ts), and presented with its reason opened. A concern with no
// decision is "new". Who is sent it is policy.ts (canTriage), applied by read.ts.
import type { Sealer } from '../../platform/crypto/school-keys.ts';
import type { TriageView } from '../../shared/schemas/concerns.ts';
import type { RiskLevel, TriageState } from '../../shared/triage.ts';

export type TriageRow = {
  id: string;
  state: TriageState;
  risk: RiskLevel | null;
  /** base64 of the sealed reason. */
  reason: string;
  decidedBy: { id: string; name: string };
  decidedAt: string;
};

/** Over the concern alias `c`: its newest decision, or null. */
export const LATEST_TRIAGE_SQL = `(SELECT json_build_object('id', tr.id, 'state', tr.state,
    'risk', tr.risk, 'reason', encode(tr.reason, 'base64'),
    'decidedBy', json_build_object('id', du.id, 'name', du.name), 'decidedAt', tr.decided_at)
  FROM concern_triage tr JOIN users du ON du.id = tr.decided_by
  WHERE tr.concern_id = c.id ORDER BY tr.decided_at DESC, tr.id DESC LIMIT 1)`;

export const NEW_TRIAGE: TriageView = {
  state: 'new',
  risk: null,
  reason: null,
  decidedBy: null,
  decidedAt: null,
};

export function presentTriage(sealer: Sealer, row: TriageRow | null): TriageView {
  if (!row) return NEW_TRIAGE;
  return {
    state: row.state,
    risk: row.risk,
    reason: sealer.open('concern_triage.reason', row.id, Buffer.from(row.reason, 'base64')),
    decidedBy: row.decidedBy,
    decidedAt: new Date(row.decidedAt).toISOString(),
  };
}
