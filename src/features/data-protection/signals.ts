// What tells the DPO (issue 17): a rights request falling due within the week, and overdue (each
// alerted once; a change of dates or an extension re-arms both), and a draft breach Lantern opens
// itself when one of its own signals suggests a breach: the audit chain failing its verification,
// and a child-protection file taken back before the receiving school accepted it. Run by the jobs (src/jobs/data-protection.ts) and `audit verify` as 'Lantern
// (scheduled)' or the operator, through the same door as any work; alerts hold ids only.
import { randomUUID } from 'node:crypto';
import type { SchoolTx } from '../../core/context.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { raiseAlerts } from '../alerts/service.ts';
import { addDays } from '../../shared/calendar.ts';
import { todayInEngland } from './requests/load.ts';

/** Whoever holds the register: members of any group granted `data_protection`. */
export async function registerHolders(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(
    `SELECT DISTINCT m.user_id FROM staff_group_members m
     JOIN staff_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
     WHERE 'data_protection' = ANY (g.capabilities) AND u.disabled_at IS NULL
     ORDER BY m.user_id`,
  );
  return rows.map((r) => r.user_id);
}

/** Alerts the register's holders to requests due within 7 days or overdue; returns whom. */
export async function alertDueRequests(t: SchoolTx): Promise<string[]> {
  const today = todayInEngland(t.now);
  const alerted = new Set<string>();
  let holders: string[] | null = null;
  for (const overdue of [true, false]) {
    const claimed = await t.q<{ id: string; due_on: string }>(
      overdue
        ? `UPDATE dp_requests SET overdue_alerted_at = $2, due_alerted_at = coalesce(due_alerted_at, $2)
           WHERE status = 'open' AND due_on < $1::date AND overdue_alerted_at IS NULL
           RETURNING id, due_on::text AS due_on`
        : `UPDATE dp_requests SET due_alerted_at = $2
           WHERE status = 'open' AND due_on BETWEEN $1::date AND $3::date AND due_alerted_at IS NULL
           RETURNING id, due_on::text AS due_on`,
      overdue ? [today, t.now] : [today, t.now, addDays(today, 7)],
    );
    for (const r of claimed) {
      holders ??= await registerHolders(t.db);
      const to = await raiseAlerts(t.db, t.schoolId, t.now, {
        kind: overdue ? 'dp_request_overdue' : 'dp_request_due',
        targetType: 'dp_request',
        targetId: r.id,
        userIds: holders,
        groups: [],
      });
      for (const u of to) alerted.add(u);
      await t.audit({
        action: 'dp.request_due_alerted',
        targetType: 'dp_request',
        targetId: r.id,
        details: { dueOn: r.due_on, overdue },
      });
    }
  }
  return [...alerted];
}

export type BreachSignal = 'audit_verify' | 'transfer_revoked';

const HOW_AWARE: Record<BreachSignal, string> = {
  audit_verify:
    "Lantern's nightly check of the audit trail found an entry that does not match its chain: " +
    'the trail may have been altered or damaged (integrity). Check the first broken entry with ' +
    "the operator ('lantern audit verify').",
  transfer_revoked:
    'A child-protection file sent through Lantern was taken back before the receiving school ' +
    'accepted it. If it had gone to the wrong school, this is a breach of confidentiality: ' +
    'record who could have seen it and what was in it. If it went to the right school and was ' +
    'taken back for another reason, close this draft saying so.',
};
const TYPES: Record<BreachSignal, string[]> = {
  audit_verify: ['integrity'],
  transfer_revoked: ['confidentiality'],
};

/**
 * Opens a draft breach for the signal, once while a draft from it is open and once ever for its
 * key (which break: a failing check run every night drafts once, even after the DPO confirms the
 * draft), and alerts the register's holders. Returns the draft's id, or null when one is already
 * open or the key has had its breach, and whom it alerted.
 */
export async function draftBreach(
  t: SchoolTx,
  signal: BreachSignal,
  key: string,
): Promise<{ id: string | null; alerted: string[] }> {
  const id = randomUUID();
  const sealer = await t.sealer();
  const made = await t.q(
    `INSERT INTO dp_breaches (id, school_id, status, source, became_aware_at, how_aware, types,
       recorded_at, signal_key)
     VALUES ($1, $2, 'draft', $3, $4, $5, $6, $4, $7)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      id,
      t.schoolId,
      signal,
      t.now,
      sealer.seal('dp_breaches.how_aware', id, HOW_AWARE[signal]),
      TYPES[signal],
      `${signal}:${key}`,
    ],
  );
  if (made.length === 0) return { id: null, alerted: [] };
  const alerted = await raiseAlerts(t.db, t.schoolId, t.now, {
    kind: 'dp_breach_drafted',
    targetType: 'dp_breach',
    targetId: id,
    userIds: await registerHolders(t.db),
    groups: [],
  });
  await t.audit({
    action: 'dp.breach_drafted',
    targetType: 'dp_breach',
    targetId: id,
    details: { signal },
  });
  return { id, alerted };
}
