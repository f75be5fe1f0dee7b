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

/**
 * Whom a plan's reminder goes to: the pupil's contacts with parental responsibility who have an
 * email address, never one the DSL has restricted or one under a court order.
 * TODO(merge with s10-parents): send to the pupil's parent accounts instead.
 */
async function parentEmails(t: SchoolTx, pupilId: string): Promise<string[]> {
  const rows = await t.q<{ id: string; emails: Buffer | null }>(
    `SELECT c.id, c.emails FROM pupil_contacts l JOIN contacts c ON c.id = l.contact_id
     WHERE l.pupil_id = $1 AND l.parental_responsibility AND l.court_order IS NOT TRUE
       AND c.archived_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM contact_restrictions r WHERE r.pupil_id = l.pupil_id
                       AND r.contact_id = c.id AND r.removed_at IS NULL)`,
    [pupilId],
  );
  const sealer = await t.sealer();
  const out = new Set<string>();
  for (const r of rows) {
    if (!r.emails) continue;
    const emails = sealer.openJson<{ address: string }[]>('contacts.emails', r.id, r.emails);
    const first = emails.find((e) => e.address.includes('@'));
    if (first) out.add(first.address);
  }
  return [...out];
}

export async function remindPlanExpiries(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
): Promise<number> {
  const today = dayOfDate(t.now);
  // Current plans (both sides agreed) not replaced, with no replacement waiting either.
  const plans = await t.q<{ id: string; pupil_id: string; expires_on: string }>(
    `SELECT p.id, p.pupil_id, p.expires_on::text AS expires_on FROM medical_plans p
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
