// The audit trail of concerns about adults (issue 19): every read and change in this area, for
// its case managers (the `staff_concerns.read` ability: the headteacher and the chair), except
// the entries about a matter that names the viewer. What this protects: a case manager named in
// a matter learns from the trail neither that it exists nor who looked at it. Entries carry ids
// and actions only, never a name or the text (platform/audit/catalogue.ts).
import type { Tx } from '../../core/context.ts';
import type { AuditList } from '../../shared/schemas/staff-concerns.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function staffConcernAudit(t: Tx): Promise<AuditList> {
  const rows = await t.q<{
    at: Date;
    actor_label: string;
    action: string;
    target_id: string | null;
  }>(
    `SELECT a.at, a.actor_label, a.action, a.target_id FROM audit_events a
     WHERE a.action LIKE 'staff\\_concerns.%'
       AND NOT EXISTS (
         SELECT 1 FROM staff_concerns s
         WHERE a.target_type = 'staff_concern' AND s.id::text = a.target_id
           AND s.subject_user_id = $1)
     ORDER BY a.seq DESC LIMIT 500`,
    [t.actor.userId],
  );
  await t.audit({ action: 'staff_concerns.audit_viewed', details: { count: rows.length } });
  return {
    items: rows.map((r) => ({
      at: r.at.toISOString(),
      actor: r.actor_label,
      action: r.action,
      matterId: r.target_id !== null && UUID.test(r.target_id) ? r.target_id : null,
    })),
  };
}
