// Reminders until answered (issue 21): for each current version of a form still asked, each pupil
// on roll it asks about and each parent who has not answered that version, an email three days
// after the version was published and then weekly. Only a parent the parents' door would let in is
// reminded: an active account, an accepted and unrevoked link to that pupil through a contact with
// parental responsibility, and no restriction in force on the contact (the door's own rule,
// restrictedContactSql). A contact who never signed up gets nothing. Each reminder is recorded (so
// two processes never send the same one) and audited; each address gets one email a run however
// many forms or children are waiting. The email says only that there is something to look at,
// with a link to the parent area: never a child's name, the form's title or its text.
import type { SchoolTx } from '../../core/context.ts';
import { restrictedContactSql } from '../../core/parent-context.ts';
import type { Services } from '../../platform/services.ts';
import { queueMail } from '../../platform/mail/outbox.ts';

export const FIRST_REMINDER_DAYS = 3;
export const REMINDER_EVERY_DAYS = 7;
const DAY = 86_400_000;

export async function remindConsents(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
): Promise<number> {
  const due = await t.q<{
    version_id: string;
    version: number;
    pupil_id: string;
    contact_id: string;
    email: string;
  }>(
    `SELECT v.id AS version_id, v.version, fp.pupil_id, pc.contact_id, a.email
     FROM consent_versions v
     JOIN consent_form_pupils fp ON fp.form_id = v.form_id
     JOIN pupils p ON p.id = fp.pupil_id AND p.archived_at IS NULL
     JOIN pupil_contacts pc ON pc.pupil_id = fp.pupil_id AND pc.parental_responsibility
       AND NOT coalesce(pc.court_order, false)
     JOIN contacts c ON c.id = pc.contact_id AND c.archived_at IS NULL
     JOIN parent_links l ON l.pupil_id = fp.pupil_id AND l.contact_id = pc.contact_id
       AND l.accepted_at IS NOT NULL AND l.revoked_at IS NULL
     JOIN parent_accounts a ON a.id = l.parent_id AND a.status = 'active'
     LEFT JOIN consent_reminders r ON r.version_id = v.id AND r.pupil_id = fp.pupil_id
       AND r.contact_id = pc.contact_id
     WHERE v.superseded_at IS NULL AND v.withdrawn_at IS NULL
       AND (v.valid_until IS NULL OR v.valid_until >= $1::date)
       AND v.published_at <= $2
       AND (r.last_sent_at IS NULL OR r.last_sent_at <= $3)
       AND NOT ${restrictedContactSql('pc.contact_id', '$1')}
       AND NOT EXISTS (SELECT 1 FROM consent_answers ca WHERE ca.version_id = v.id
                       AND ca.pupil_id = fp.pupil_id AND ca.contact_id = pc.contact_id)
     ORDER BY a.email, v.id, fp.pupil_id`,
    [
      t.now.toISOString().slice(0, 10),
      new Date(t.now.getTime() - FIRST_REMINDER_DAYS * DAY),
      new Date(t.now.getTime() - REMINDER_EVERY_DAYS * DAY),
    ],
  );
  const url = `${services.config.publicOrigin}/parent/consents`;
  const mailed = new Set<string>();
  for (const d of due) {
    // The claim: a reminder another process sent in this window leaves nothing to do.
    const claimed = await t.q(
      `INSERT INTO consent_reminders (school_id, version_id, pupil_id, contact_id, last_sent_at, sent)
       VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (school_id, version_id, pupil_id, contact_id) DO UPDATE
         SET last_sent_at = EXCLUDED.last_sent_at, sent = consent_reminders.sent + 1
         WHERE consent_reminders.last_sent_at <= $6
       RETURNING sent`,
      [
        t.schoolId,
        d.version_id,
        d.pupil_id,
        d.contact_id,
        t.now,
        new Date(t.now.getTime() - REMINDER_EVERY_DAYS * DAY),
      ],
    );
    if (claimed.length === 0) continue;
    const to = d.email.toLowerCase();
    if (!mailed.has(to)) {
      mailed.add(to);
      if (services.mailer) await queueMail(t.db, services, { template: 'alert', to, url }, t.now);
    }
    await t.audit({
      action: 'consents.reminded',
      targetType: 'consent_version',
      targetId: d.version_id,
      details: { version: d.version, pupil: d.pupil_id },
    });
  }
  return mailed.size;
}
