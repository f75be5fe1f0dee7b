// A draft breach from an unusual-access signal (issue 20): the register's holder (the DPO, or
// whoever the school grants `data_protection`) opens a draft in the breach register prefilled
// with what the signal knows — the rule, the member, the window and the count — and nothing
// about any child: no pupil is named, and the free text is written here from the rule's words,
// never from a record. The breach's signal_key names the signal and the signal keeps the breach's
// id, so each leads to the other; one breach per signal (a second attempt is a conflict). The
// 72 hours run from the signal's raising (became_aware_at = raised_at): the signal alerted the
// register's holders then. Drafting stays a deliberate, audited click by the register's holder;
// never by the member the signal is about.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../core/context.ts';
import { conflict, forbidden, notFound } from '../../core/errors.ts';
import type { UnusualRule } from '../../shared/schemas/audit-trail.ts';
import { SELECT_SIGNAL, WHAT, signalRow, type RawSignalRow } from './unusual-routes-service.ts';

/** The rule's name as the rules form and the alert word it. */
export const RULE_NAMES: Record<UnusualRule, string> = {
  pupils_per_hour: 'many pupils’ records opened in an hour',
  pupils_per_day: 'many pupils’ records opened in a day',
  out_of_hours: 'records opened outside school hours',
  refusals: 'repeated refusals',
  exports: 'bulk exports',
  own_access: 'an administrator changing their own access',
  wide_grant: 'pupils one does not teach, opened through a wide grant',
};

/** Rules whose count is of pupils (the draft's "people affected, about"). */
const COUNTS_PUPILS: readonly UnusualRule[] = ['pupils_per_hour', 'pupils_per_day', 'wide_grant'];
const HOUR = 3_600_000;

export async function draftBreachFromSignal(t: Tx, signalId: string): Promise<{ id: string }> {
  // A trust member's signal is drafted as a member of staff's is (they are named with their role
  // and trust); the holder drafting it can never be that trust member.
  const [s] = (
    await t.q<RawSignalRow>(`${SELECT_SIGNAL} WHERE s.id = $1 FOR UPDATE OF s`, [signalId])
  ).map(signalRow);
  if (!s) throw notFound('That unusual-access signal');
  if (s.member_id === t.actor.userId)
    throw forbidden(
      'This signal is about your own access: another holder of the breach register must decide whether it is a breach.',
    );
  if (s.breach_id !== null)
    throw conflict('A breach was already drafted from this signal: it is in the breach register.');
  const raisedAt = new Date(s.raised_at);
  const span = s.rule === 'pupils_per_hour' || s.rule === 'refusals' ? HOUR : 24 * HOUR;
  const occurredFrom = s.rule === 'own_access' ? raisedAt : new Date(raisedAt.getTime() - span);
  const howAware =
    `Lantern's unusual-access rule "${RULE_NAMES[s.rule]}" noticed that ${s.member} ` +
    `${WHAT[s.rule](Number(s.observed))} (signal raised ${raisedAt.toISOString()}). ` +
    `Drafted from the signal by ${t.actor.name}. The member's entries are in the audit trail; ` +
    'assess whether the access was a breach of confidentiality before confirming this draft.';
  const id = randomUUID();
  const sealer = await t.sealer();
  await t.q(
    `INSERT INTO dp_breaches (id, school_id, status, source, became_aware_at, how_aware, types,
       occurred_from, occurred_to, people_approx, recorded_by, recorded_at, signal_key)
     VALUES ($1, $2, 'draft', 'unusual_access', $11, $4, $5, $6, $7, $8, $9, $3, $10)`,
    [
      id,
      t.schoolId,
      t.now,
      sealer.seal('dp_breaches.how_aware', id, howAware),
      ['confidentiality'],
      occurredFrom,
      raisedAt,
      COUNTS_PUPILS.includes(s.rule) ? Number(s.observed) : null,
      t.actor.userId,
      `unusual_access:${s.id}`,
      raisedAt,
    ],
  );
  await t.q('UPDATE access_signals SET breach_id = $2 WHERE id = $1', [s.id, id]);
  await t.audit({
    action: 'audit.signal_breach_drafted',
    targetType: 'dp_breach',
    targetId: id,
    details: { signal: s.id, rule: s.rule },
  });
  return { id };
}
