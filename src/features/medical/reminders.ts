// Reminders to a pupil's parents that a healthcare or action plan is about to expire, or has
// (issue 21): 28 days before the expiry, then every 7 days after it until the plan is replaced
// (rules.ts reminderDueOn). Run by the scheduled job (src/jobs/medical-reminders.ts) on the
// injected clock, one school per transaction. Each due date is recorded once
// (medical_plan_reminders), so a repeated run, or another process, never reminds twice. The email
// says only that there is something to look at, with a link to the parents' area.
import type { SchoolTx } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import { dayOfDate, reminderDueOn } from './rules.ts';
import { restrictedContactSql } from '../../core/parent-context.ts';

/**
 * Whom a plan's reminder goes to: the pupil's parents with an active account in Lantern (they
 * opted in), linked to the pupil by the parent door's rule — an accepted, unrevoked link through
 * the MIS contact with parental responsibility or as the primary contact, and never a contact the
 * DSL has restricted (core/parent-context.ts).
 */
async function parentEmails(t: SchoolTx, pupilId: string): Promise<string[]> {
  const rows = await t.q<{ email: string }>(
    `SELECT DISTINCT a.email FROM parent_links l
     JOIN parent_accounts a ON a.id = l.parent_id AND a.status = 'active'
     JOIN pupil_contacts pc ON pc.pupil_id = l.pupil_id AND pc.contact_id = l.contact_id
     WHERE l.pupil_id = $1 AND l.accepted_at IS NOT NULL AND l.revoked_at IS NULL
       AND (pc.parental_responsibility IS TRUE OR pc.priority = 1)
       AND NOT ${restrictedContactSql('l.contact_id', '$2')}`,
    [pupilId, dayOfDate(t.now)],
  );
  return rows.map((r) => r.email);
}

export async function remindPlanExpiries(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
): Promise<number> {
  const today = dayOfDate(t.now);
  // Current plans (both sides agreed) of pupils still on roll, not replaced, with no replacement
  // waiting either.
  const plans = await t.q<{ id: string; pupil_id: string; expires_on: string }>(
    `SELECT p.id, p.pupil_id, p.expires_on::text AS expires_on FROM medical_plans p
     JOIN pupils pu ON pu.id = p.pupil_id AND pu.archived_at IS NULL
     WHERE p.replaced_at IS NULL AND p.declined_at IS NULL
       AND p.parent_confirmed_at IS NOT NULL AND p.staff_acknowledged_at IS NOT NULL
       AND p.expires_on <= ($1::date + 28)
       AND NOT EXISTS (SELECT 1 FROM medical_plans n WHERE n.replaces = p.id AND n.declined_at IS NULL)`,
    [today],
  );
  let sent = 0;
  for (const p of plans) {
    const dueOn = reminderDueOn(p.expires_on, today);
    if (!dueOn) continue;
    const [done] = await t.q(
      'SELECT 1 FROM medical_plan_reminders WHERE plan_id = $1 AND due_on = $2',
      [p.id, dueOn],
    );
    if (done) continue;
    const to = await parentEmails(t, p.pupil_id);
    await t.q(
      `INSERT INTO medical_plan_reminders (school_id, plan_id, due_on, sent_at, recipients)
       VALUES ($1, $2, $3, $4, $5)`,
      [t.schoolId, p.id, dueOn, t.now, to.length],
    );
    if (services.mailer) {
      const url = `${services.config.publicOrigin}/parent`;
      for (const address of to) {
        await queueMail(t.db, services, { template: 'alert', to: address, url }, t.now);
      }
    }
    await t.audit({
      action: 'medical.plan_reminder_sent',
      targetType: 'pupil',
      targetId: p.pupil_id,
      details: { dueOn, recipients: to.length },
    });
    sent += 1;
  }
  return sent;
}
