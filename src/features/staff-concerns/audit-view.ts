// The audit trail of concerns about adults (issue 19), for its case managers (the
// `staff_concerns.read` ability: the headteacher's group and the chair's). What this protects: a
// case manager sees an entry only if it is about a matter they may read, by the very rule the lists
// use (policy.ts's `visibleMatterSql`: routed to their team, not naming them, not removed as
// malicious), so a head learns nothing of a matter routed to the chair about the head, and the
// person named in a removed matter learns nothing of it. Entries with no matter (lists, receipts,
// the patterns review, settings, this trail itself) are never shown: they are the whole area's
// activity, and who looked when could betray that a matter exists. Entries carry ids and actions
// only, never a name or the text (platform/audit/catalogue.ts).
// A destroyed matter's entries (its destruction among them) stay in the trail for the same
// readers, by its tombstone's rule (`visibleTombstoneSql`: its team, not the person it named).
// To change safely: keep each matter test going through `visibleMatterSql` or
// `visibleTombstoneSql`, never an outer join.
import type { Tx } from '../../core/context.ts';
import type { AuditList } from '../../shared/schemas/staff-concerns.ts';
import { teamsOf, visibleMatterSql, visibleTombstoneSql } from './policy.ts';

export async function staffConcernAudit(t: Tx): Promise<AuditList> {
  const teams = await teamsOf(t.db, t.actor.userId);
  const where = visibleMatterSql(t.actor, teams, 1);
  const digest = (await t.sealer()).digest('destruction-subject', t.actor.userId);
  const gone = visibleTombstoneSql(t.actor, teams, digest, 1 + where.params.length);
  const rows = await t.q<{
    at: Date;
    actor_label: string;
    action: string;
    matter_id: string;
    destroyed: boolean;
  }>(
    `SELECT a.at, a.actor_label, a.action, a.target_id AS matter_id,
       NOT EXISTS (SELECT 1 FROM staff_concerns s WHERE s.school_id = a.school_id
                     AND s.id::text = a.target_id) AS destroyed
     FROM audit_events a
     WHERE a.action LIKE 'staff\\_concerns.%' AND a.target_type = 'staff_concern'
       AND (EXISTS (SELECT 1 FROM staff_concerns s WHERE s.school_id = a.school_id
                      AND s.id::text = a.target_id AND ${where.sql})
            OR EXISTS (SELECT 1 FROM staff_concern_tombstones d WHERE d.school_id = a.school_id
                         AND d.staff_concern_id::text = a.target_id AND ${gone.sql}))
     ORDER BY a.seq DESC LIMIT 500`,
    [...where.params, ...gone.params],
  );
  await t.audit({ action: 'staff_concerns.audit_viewed', details: { count: rows.length } });
  return {
    items: rows.map((r) => ({
      at: r.at.toISOString(),
      actor: r.actor_label,
      action: r.action,
      matterId: r.matter_id,
      destroyed: r.destroyed,
    })),
  };
}
