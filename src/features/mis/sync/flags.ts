// A pupil's vulnerability flags as the sync stores them: each kind sealed under the school's key,
// bound to its row (migration 0022), and replaced only for the kinds the record speaks about.
import { VULNERABILITY_KINDS, type Pupil, type VulnerabilityKind } from '../snapshot.ts';
import { inSlices, sealedHex, type SyncState } from './state.ts';

/** The stored name of each kind (pupil_flags' CHECK, and PUPIL_FLAGS in the shared schema). */
const FLAG: Record<VulnerabilityKind, string> = {
  child_protection_plan: 'cp_plan',
  child_in_need: 'cin',
  looked_after: 'lac',
  previously_looked_after: 'plac',
  sen_support: 'sen_support',
  ehcp: 'ehcp',
  fsm: 'fsm',
  pupil_premium: 'pupil_premium',
  eal: 'eal',
  young_carer: 'young_carer',
};

/** The rows to insert for a rewritten pupil's flags. */
export function flagRows(s: SyncState, pupilId: string, p: Pupil): Record<string, unknown>[] {
  return p.flags.map((f) => {
    const id = crypto.randomUUID();
    return {
      id,
      pupil_id: pupilId,
      kind_sealed: sealedHex(s.sealer, 'pupil_flags.kind', id, FLAG[f.kind]),
      starts_on: f.startDate,
      ends_on: f.endDate,
    };
  });
}

const KIND_OF_FLAG = new Map<string, VulnerabilityKind>(
  Object.entries(FLAG).map(([kind, flag]) => [flag, kind as VulnerabilityKind]),
);

/**
 * The MIS's flags of the rewritten pupils that this run replaces: those of the kinds each record
 * speaks about. A flag of a kind the record is silent on (a delta without the young-carer field)
 * stays. Kinds are sealed, so they are opened here to decide.
 */
export async function flagsToReplace(
  s: SyncState,
  ids: string[],
  stated: Map<string, Set<VulnerabilityKind>>,
): Promise<string[]> {
  const out: string[] = [];
  const partial = ids.filter((id) => (stated.get(id)?.size ?? 0) < VULNERABILITY_KINDS.length);
  const whole = ids.filter((id) => (stated.get(id)?.size ?? 0) >= VULNERABILITY_KINDS.length);
  await inSlices(whole, 2000, async (slice) => {
    const rows = await s.q.query<{ id: string }>(
      `SELECT id FROM pupil_flags WHERE source = 'mis' AND pupil_id = ANY($1::uuid[])`,
      [slice],
    );
    out.push(...rows.map((r) => r.id));
  });
  await inSlices(partial, 2000, async (slice) => {
    const rows = await s.q.query<{ id: string; pupil_id: string; kind_sealed: Buffer }>(
      `SELECT id, pupil_id, kind_sealed FROM pupil_flags
       WHERE source = 'mis' AND pupil_id = ANY($1::uuid[])`,
      [slice],
    );
    for (const r of rows) {
      const kind = KIND_OF_FLAG.get(s.sealer.open('pupil_flags.kind', r.id, r.kind_sealed));
      if (kind === undefined || stated.get(r.pupil_id)?.has(kind)) out.push(r.id);
    }
  });
  return out;
}
