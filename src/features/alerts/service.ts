// Alerts: one row per recipient, shown on their dashboard until they acknowledge it. An alert
// that reached a member of the DSL team — through the team, the DSL's own staff group or by name —
// carries an escalation time; the periodic job (src/jobs/due-work.ts) sends it on to deputies and
// the headteacher when nobody in the team has acknowledged it by then. Alerts hold ids only; the
// email says only "something to look at".
import type { Queryable } from '../../platform/db/engine.ts';
import type { Tx } from '../../core/context.ts';
import { notFound } from '../../core/errors.ts';
import type { AlertKind, AlertTarget } from '../../shared/schemas/alerts.ts';
import type { AlertTeam } from '../../shared/alert-teams.ts';
import { alertReach, type Reach } from './recipients.ts';

const DSL_TEAM: AlertTeam = 'dsl_team';

export type NewAlerts = {
  kind: AlertKind;
  targetType: AlertTarget;
  targetId: string;
  userIds: readonly string[];
  groups: readonly string[];
  /** Never alert the person who caused it (the author of a concern). */
  exclude?: string;
  /** When set, the alerts of recipients in the DSL team escalate after this many minutes. */
  escalationMinutes?: number;
};

/**
 * Whom the alerts go to (each once) and how: the chosen people, then the members each group
 * reaches (`reach`: alertReach's answer for `a.groups`, with the DSL team when escalating), never
 * the person excluded. Returns the INSERT of their rows, its parameters numbered from `next`, so a
 * caller may run it alone (raiseAlerts) or as part of a statement of its own (a concern's insert:
 * issue 12), and the recipients.
 */
export function alertInsert(
  schoolId: string,
  now: Date,
  a: NewAlerts,
  reach: Reach,
  next = 1,
): { recipients: string[]; sql: string; params: unknown[] } {
  const escalateAt =
    a.escalationMinutes === undefined
      ? null
      : new Date(now.getTime() + a.escalationMinutes * 60_000);
  // However the alert reached them, a DSL-team member's alert is the team's to acknowledge.
  const via = new Map<string, string | null>();
  for (const id of a.userIds) via.set(id, null);
  for (const m of reach.members) {
    if (!via.has(m.userId) || m.group === DSL_TEAM) via.set(m.userId, m.group);
  }
  if (a.exclude) via.delete(a.exclude);
  const recipients = [...via.keys()];
  const $ = (i: number) => `$${next + i}`;
  return {
    recipients,
    // One statement for every recipient (issue 12).
    sql: `INSERT INTO alerts (school_id, recipient_id, kind, target_type, target_id, via_group,
       created_at, escalate_at)
     SELECT ${$(0)}, r.id, ${$(1)}, ${$(2)}, ${$(3)}, r.via, ${$(4)},
            CASE WHEN r.team THEN ${$(5)}::timestamptz END
     FROM unnest(${$(6)}::uuid[], ${$(7)}::text[], ${$(8)}::boolean[])
       WITH ORDINALITY r(id, via, team, n)
     ORDER BY r.n`,
    params: [
      schoolId,
      a.kind,
      a.targetType,
      a.targetId,
      now,
      escalateAt,
      recipients,
      recipients.map((id) => via.get(id) ?? null),
      recipients.map((id) => escalateAt !== null && reach.team.has(id)),
    ],
  };
}

/** Inserts the alerts (deduplicated per recipient) and returns who was alerted. */
export async function raiseAlerts(
  q: Queryable,
  schoolId: string,
  now: Date,
  a: NewAlerts,
): Promise<string[]> {
  const reach = await alertReach(q, a.groups, a.escalationMinutes !== undefined);
  const insert = alertInsert(schoolId, now, a, reach);
  if (insert.recipients.length === 0) return [];
  await q.query(insert.sql, insert.params);
  return insert.recipients;
}

export type AlertRow = {
  id: string;
  kind: AlertKind;
  target_type: AlertTarget;
  target_id: string;
  via_group: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
};

export const presentAlert = (r: AlertRow) => ({
  id: r.id,
  kind: r.kind,
  targetType: r.target_type,
  targetId: r.target_id,
  viaGroup: r.via_group,
  createdAt: r.created_at.toISOString(),
  acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
});

export async function myAlerts(t: Tx, includeAcknowledged: boolean, limit = 100) {
  const rows = await t.q<AlertRow>(
    `SELECT id, kind, target_type, target_id, via_group, created_at, acknowledged_at FROM alerts
     WHERE recipient_id = $1 ${includeAcknowledged ? '' : 'AND acknowledged_at IS NULL'}
     ORDER BY created_at DESC, id LIMIT $2`,
    [t.actor.userId, limit],
  );
  return rows.map(presentAlert);
}

export async function acknowledgeAlert(t: Tx, id: string) {
  const [row] = await t.q<AlertRow>(
    `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, $3)
     WHERE id = $1 AND recipient_id = $2
     RETURNING id, kind, target_type, target_id, via_group, created_at, acknowledged_at`,
    [id, t.actor.userId, t.now],
  );
  if (!row) throw notFound('That alert');
  await t.audit({ action: 'alert.acknowledged', targetType: 'alert', targetId: id });
  return presentAlert(row);
}
