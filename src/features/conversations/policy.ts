// Who may read a recorded conversation: the DSL team's work, so only those who manage cases
// (`case.manage`, checked by each reader: caseManager, the chronology, search), and of those only
// the members granted every restricted category it touches — its concern's, and every concern's of
// its case (issue 11). To anyone else a conversation about a restricted matter is not there. To
// change safely: every reader of conversations takes this filter; add none without it.
import type { Actor } from '../../core/access/actor.ts';
import { restrictedTouchSql } from '../../core/access/record-filter.ts';

/** The restricted matters a conversation over alias `v` touches must all be granted (SQL). */
export function conversationTouchesGranted(
  actor: Actor,
  from: number,
): { sql: string; params: unknown[] } {
  return restrictedTouchSql(actor, from, { concern: 'v.concern_id', case: 'v.case_id' });
}
