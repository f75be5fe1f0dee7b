// A case as its page shows it: the case itself (service.ts) with its actions and referrals and
// their state (open-work.ts), each list read and audited as those features read theirs. Kept
// apart from service.ts, which the actions and referrals features import.
import type { Tx } from '../../core/context.ts';
import type { CaseView } from '../../shared/schemas/cases.ts';
import { caseWork } from './open-work.ts';
import { getCase } from './service.ts';

export async function caseView(t: Tx, id: string, audit = true): Promise<CaseView> {
  const core = await getCase(t, id, audit);
  return { ...core, ...(await caseWork(t, id)) };
}
