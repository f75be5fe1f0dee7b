// Which gathered items the actor may not read (issue 17, review finding 1; the lead's decision:
// deny by default). A data-protection handler is not thereby granted safeguarding records: the
// dpo group holds none, and a school may give data_protection to anyone. So an item from a
// safeguarding record is shown without its text, and may not be decided or redacted, unless the
// actor may read that record under the house's record policies (a concern, by concerns/policy's
// canRead) or is in the DSL team, who decide such items. Items whose record has no policy check
// here (actions, referrals, conversations, case events, attachments, alerts) are held back from
// everyone outside the DSL team. The other sensitive records (medical, consent, admission, SEN,
// attendance, trips, the audit table) are held back unless the actor is in the DSL team or has
// the ability their own feature asks for (BY_ABILITY). The pack is still made from everything
// included.
import type { Tx } from '../../../core/context.ts';
import { DomainError } from '../../../core/errors.ts';
import { can, type Ability } from '../../../core/access/actor.ts';
import type { ItemSource } from '../../../shared/schemas/subject-access.ts';
import { canRead } from '../../concerns/policy.ts';
import { metaOf, SELECT_VIEW, type ConcernRow } from '../../concerns/read.ts';
import { isDslTeamMember } from '../dsl-team.ts';

export const HELD_BACK_NOTE = 'Only the DSL team can read and decide on this record';

const SAFEGUARDING: ReadonlySet<ItemSource> = new Set<ItemSource>([
  'concern',
  'action',
  'referral',
  'conversation',
  'case_event',
  'attachment',
  'alert',
  // Session 13: a child-protection plan or looked-after flag, a previous school's file and a
  // court order are safeguarding records too.
  'flag',
  'transfer_received',
  'contact_restriction',
]);

/**
 * Sensitive records that are not safeguarding records: held back unless the actor is in the DSL
 * team or holds the ability their own feature asks for (review, session 13). Medical entries and
 * plans, consent and admission answers are read under `parents`; SEN, attendance and trips (the
 * pupil's own school record) under `pupil.chronology`; the audit table under `audit`.
 */
const BY_ABILITY: Partial<Record<ItemSource, Ability>> = {
  medical: 'parents',
  medical_plan: 'parents',
  consent: 'parents',
  admission: 'parents',
  sen: 'pupil.chronology',
  attendance: 'pupil.chronology',
  trip: 'pupil.chronology',
  audit: 'audit',
};

type ItemRef = { id: string; source: ItemSource; source_id: string };

/** The ids of the items whose text the actor may not read. */
export async function heldBackItems(t: Tx, rows: readonly ItemRef[]): Promise<Set<string>> {
  const guarded = rows.filter((r) => {
    const ability = BY_ABILITY[r.source];
    return SAFEGUARDING.has(r.source) || (ability !== undefined && !can(t.actor, ability));
  });
  if (guarded.length === 0) return new Set();
  if (await isDslTeamMember({ query: t.q, exec: () => Promise.resolve() }, t.actor.userId))
    return new Set();
  const concernIds = guarded.filter((r) => r.source === 'concern').map((r) => r.source_id);
  const readable = new Set<string>();
  if (concernIds.length > 0)
    for (const c of await t.q<ConcernRow>(`${SELECT_VIEW} WHERE c.id = ANY($1::uuid[])`, [
      concernIds,
    ]))
      if (canRead(t.actor, metaOf(c))) readable.add(c.id);
  return new Set(
    guarded.filter((r) => !(r.source === 'concern' && readable.has(r.source_id))).map((r) => r.id),
  );
}

/** Refuses a change to an item the actor may not read. */
export async function refuseHeldBack(t: Tx, item: ItemRef): Promise<void> {
  if ((await heldBackItems(t, [item])).has(item.id))
    throw new DomainError('forbidden', 'held_back', `${HELD_BACK_NOTE}.`);
}
