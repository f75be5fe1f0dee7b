// Inviting parents (issue 21), the staff side: the MIS contacts with parental responsibility of the
// chosen pupils (or, for a pupil where none has it, the primary contact), each with their status;
// inviting, resending and revoking. Protects the separation: a contact the DSL has restricted is
// never invited (refused with a clear message and audited); the emailed token is stored only as
// its hash and replaced at every send; emails say only that there is something to look at.
// To change safely: keep eligibility in ELIGIBLE_SQL alone, and keep every send going through
// sendInvitation (token, expiry, reminder clock, email and audit together).
import { createHash, randomBytes } from 'node:crypto';
import type { Services } from '../../platform/services.ts';
import type { Tx, SchoolTx } from '../../core/context.ts';
import { restrictedContactSql } from '../../core/parent-context.ts';
import { badRequest, DomainError, notFound } from '../../core/errors.ts';
import type {
  InvitationList,
  InvitationRow,
  InvitationStatus,
  InviteBody,
  InviteResult,
} from '../../shared/schemas/parents.ts';
import { invitationActions } from './policy.ts';
import { queueParentMail } from './emails.ts';
import { endParentSessions } from './sessions.ts';

/** An invitation's link works this long after it was (re)sent. */
export const INVITATION_DAYS = 28;
/** The first reminder this long after the invitation, then one a week, at most MAX_REMINDERS. */
export const FIRST_REMINDER_DAYS = 5;
export const REMINDER_EVERY_DAYS = 7;
export const MAX_REMINDERS = 4;
const DAY = 86_400_000;

export const RESTRICTED_MESSAGE =
  'This contact is restricted by the designated safeguarding lead and can never be invited.';
export const NO_EMAIL_MESSAGE =
  'The MIS has no email address for this contact. Add one in the MIS, then invite them.';

export const hashInvitationToken = (token: string) =>
  createHash('sha256').update(`parent-invitation:${token}`, 'utf8').digest();

/**
 * Eligible contacts of the pupils that $2 selects (`pupilFilter`): parental responsibility, or the
 * primary contact (lowest priority) of a pupil where no contact has it. $1 is today's date.
 */
function eligibleSql(pupilFilter: string): string {
  return `
  SELECT p.id AS pupil_id, coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name AS pupil_name,
         p.year_group, c.id AS contact_id, c.first_name || ' ' || c.last_name AS contact_name,
         pc.relationship, coalesce(pc.parental_responsibility, false) AS pr, c.emails,
         ${restrictedContactSql('c.id', '$1')} AS restricted,
         i.id AS invitation_id, i.status, i.reminders_sent, i.invited_at
  FROM pupils p
  JOIN pupil_contacts pc ON pc.pupil_id = p.id
  JOIN contacts c ON c.id = pc.contact_id AND c.archived_at IS NULL
  LEFT JOIN parent_invitations i ON i.pupil_id = p.id AND i.contact_id = c.id
  WHERE p.archived_at IS NULL AND ${pupilFilter}
    AND (pc.parental_responsibility IS TRUE
         OR (NOT EXISTS (SELECT 1 FROM pupil_contacts o
                         WHERE o.pupil_id = p.id AND o.parental_responsibility IS TRUE)
             AND pc.contact_id = (SELECT o.contact_id FROM pupil_contacts o WHERE o.pupil_id = p.id
                                  ORDER BY o.priority NULLS LAST, o.contact_id LIMIT 1)))
  ORDER BY p.last_name, p.first_name, p.id, pc.priority NULLS LAST, c.last_name`;
}

type EligibleRow = {
  pupil_id: string;
  pupil_name: string;
  year_group: string | null;
  contact_id: string;
  contact_name: string;
  relationship: string | null;
  pr: boolean;
  emails: Buffer | null;
  restricted: boolean;
  invitation_id: string | null;
  status: InvitationStatus | null;
  reminders_sent: number | null;
  invited_at: Date | null;
};

type Selection = { yearGroup?: string | undefined; pupilIds?: string[] | undefined };

async function eligible(t: SchoolTx, sel: Selection): Promise<EligibleRow[]> {
  const today = t.now.toISOString().slice(0, 10);
  if (sel.pupilIds) {
    return t.q<EligibleRow>(eligibleSql('p.id = ANY($2::uuid[])'), [today, sel.pupilIds]);
  }
  if (sel.yearGroup) {
    return t.q<EligibleRow>(eligibleSql('p.year_group = $2'), [today, sel.yearGroup]);
  }
  return [];
}

/** The contact's first email address from the MIS (sealed), or null. */
async function emailOf(
  t: SchoolTx,
  contactId: string,
  sealed: Buffer | null,
): Promise<string | null> {
  if (!sealed) return null;
  const list = (await t.sealer()).openJson<{ address?: unknown }[]>(
    'contacts.emails',
    contactId,
    Buffer.from(sealed),
  );
  const first = list.find((e) => typeof e.address === 'string' && e.address.includes('@'));
  return typeof first?.address === 'string' ? first.address.trim() : null;
}

/** The list for "Parents and forms": a year group's (or one pupil's) eligible contacts. */
export async function listInvitations(t: Tx, sel: Selection): Promise<InvitationList> {
  const years = await t.q<{ year_group: string }>(
    `SELECT DISTINCT year_group FROM pupils WHERE archived_at IS NULL AND year_group IS NOT NULL
     ORDER BY year_group`,
  );
  const rows = await eligible(t, sel);
  const out: InvitationRow[] = [];
  for (const r of rows) {
    const status = r.status ?? 'not_invited';
    const hasEmail = (await emailOf(t, r.contact_id, r.emails)) !== null;
    out.push({
      pupilId: r.pupil_id,
      pupilName: r.pupil_name,
      yearGroup: r.year_group,
      contactId: r.contact_id,
      contactName: r.contact_name,
      relationship: r.relationship,
      parentalResponsibility: r.pr,
      hasEmail,
      restricted: r.restricted,
      invitationId: r.invitation_id,
      status,
      remindersSent: r.reminders_sent ?? 0,
      invitedAt: r.invited_at?.toISOString() ?? null,
      allowed: invitationActions(t.actor, { status, restricted: r.restricted, hasEmail }),
    });
  }
  if (rows.length > 0) {
    await t.audit({
      action: 'parent.invitations_viewed',
      details: { pupils: new Set(rows.map((r) => r.pupil_id)).size },
    });
  }
  return { yearGroups: years.map((y) => y.year_group), rows: out };
}

/**
 * A new token, expiry and reminder clock for the invitation, and its email queued in this
 * transaction. `reminder` 0 is the invitation itself.
 */
export async function sendInvitation(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log'>,
  p: { invitationId: string; email: string; reminder: number },
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const next =
    p.reminder === 0
      ? new Date(t.now.getTime() + FIRST_REMINDER_DAYS * DAY)
      : p.reminder < MAX_REMINDERS
        ? new Date(t.now.getTime() + REMINDER_EVERY_DAYS * DAY)
        : null;
  await t.q(
    `UPDATE parent_invitations SET token_hash = $2, expires_at = $3, next_reminder_at = $4,
       status = 'invited', email = $5, bounced_at = NULL, revoked_at = NULL
     WHERE id = $1`,
    [
      p.invitationId,
      hashInvitationToken(token),
      new Date(t.now.getTime() + INVITATION_DAYS * DAY),
      next,
      p.email,
    ],
  );
  await queueParentMail(
    t.db,
    services,
    {
      template: p.reminder === 0 ? 'invitation' : 'reminder',
      to: p.email,
      link: `${services.config.publicOrigin}/parent/accept#token=${token}`,
      schoolId: t.schoolId,
      invitationId: p.invitationId,
    },
    t.now,
  );
}

async function refuse(
  t: Tx,
  r: { pupil_id: string; contact_id: string },
  reason: 'restricted' | 'no_email',
): Promise<InviteResult['refused'][number]> {
  await t.audit({
    action: 'parent.invitation_refused',
    targetType: 'contact',
    targetId: r.contact_id,
    details: { pupil: r.pupil_id, reason },
  });
  return {
    pupilId: r.pupil_id,
    contactId: r.contact_id,
    reason,
    message: reason === 'restricted' ? RESTRICTED_MESSAGE : NO_EMAIL_MESSAGE,
  };
}

/**
 * Invites the eligible contacts of the chosen pupils or intake (one contact when `contactId` is
 * given). Each refusal (restricted, no email) is audited; the others are sent.
 */
export async function invite(t: Tx, services: Services, body: InviteBody): Promise<InviteResult> {
  if (!body.pupilIds?.length && !body.yearGroup) {
    throw badRequest('Choose the pupils, or a year group, to invite the parents of.');
  }
  const rows = (
    await eligible(t, {
      pupilIds: body.pupilIds,
      yearGroup: body.pupilIds ? undefined : body.yearGroup,
    })
  ).filter((r) => !body.contactId || r.contact_id === body.contactId);
  if (rows.length === 0) {
    throw new DomainError(
      'not_found',
      'no_eligible_contacts',
      'No contact with parental responsibility (or primary contact) was found for that choice.',
    );
  }
  const result: InviteResult = { invited: 0, alreadyAccepted: 0, refused: [] };
  for (const r of rows) {
    if (r.restricted) {
      result.refused.push(await refuse(t, r, 'restricted'));
      continue;
    }
    if (r.status === 'accepted') {
      result.alreadyAccepted++;
      continue;
    }
    const email = await emailOf(t, r.contact_id, r.emails);
    if (!email) {
      result.refused.push(await refuse(t, r, 'no_email'));
      continue;
    }
    const [row] = await t.q<{ id: string }>(
      `INSERT INTO parent_invitations (school_id, contact_id, pupil_id, email, status, invited_by,
         invited_at, reminders_sent)
       VALUES ($1, $2, $3, $4, 'invited', $5, $6, 0)
       ON CONFLICT (school_id, contact_id, pupil_id) DO UPDATE
         SET invited_by = $5, invited_at = $6, reminders_sent = 0
       RETURNING id`,
      [t.schoolId, r.contact_id, r.pupil_id, email, t.actor.userId, t.now],
    );
    await sendInvitation(t, services, { invitationId: row!.id, email, reminder: 0 });
    await t.audit({
      action: 'parent.invited',
      targetType: 'parent_invitation',
      targetId: row!.id,
      details: r.invitation_id ? { pupil: r.pupil_id, resent: true } : { pupil: r.pupil_id },
    });
    result.invited++;
  }
  return result;
}

type InvitationFacts = {
  id: string;
  pupil_id: string;
  contact_id: string;
  status: InvitationStatus;
  parent_id: string | null;
};

async function invitationOf(t: SchoolTx, id: string): Promise<InvitationFacts> {
  const [row] = await t.q<InvitationFacts>(
    `SELECT id, pupil_id, contact_id, status, parent_id FROM parent_invitations WHERE id = $1
     FOR UPDATE`,
    [id],
  );
  if (!row) throw notFound('That invitation');
  return row;
}

/** Sends the invitation again (a new link; the old one stops working). */
export async function resend(t: Tx, services: Services, id: string): Promise<InviteResult> {
  const inv = await invitationOf(t, id);
  if (inv.status === 'accepted') {
    throw new DomainError('conflict', 'conflict', 'This parent has already accepted.');
  }
  return invite(t, services, { pupilIds: [inv.pupil_id], contactId: inv.contact_id });
}

/**
 * Ends the contact's access to this pupil: the invitation is revoked (its link stops working),
 * the link to the pupil ends, and an account left with no child is revoked and signed out.
 */
export async function revoke(t: Tx, id: string): Promise<{ sessionsEnded: number }> {
  const inv = await invitationOf(t, id);
  if (inv.status === 'revoked' || inv.status === 'not_invited') {
    throw new DomainError('conflict', 'conflict', 'This invitation is not in use.');
  }
  await t.q(
    `UPDATE parent_invitations SET status = 'revoked', revoked_at = $2, token_hash = NULL,
       next_reminder_at = NULL WHERE id = $1`,
    [id, t.now],
  );
  const sessionsEnded = await endAccess(t, inv.contact_id, inv.pupil_id, 'staff');
  return { sessionsEnded };
}

/**
 * Ends a contact's link to one pupil (or every pupil, `pupilId` null); an account left with no
 * child is revoked and its sessions ended. Audited once per account touched.
 */
export async function endAccess(
  t: SchoolTx,
  contactId: string,
  pupilId: string | null,
  reason: 'staff' | 'restricted',
): Promise<number> {
  const [account] = await t.q<{ id: string }>(
    'SELECT id FROM parent_accounts WHERE contact_id = $1',
    [contactId],
  );
  if (!account) return 0;
  const links = await t.q(
    `UPDATE parent_links SET revoked_at = $3 WHERE parent_id = $1 AND revoked_at IS NULL
       AND ($2::uuid IS NULL OR pupil_id = $2::uuid) RETURNING pupil_id`,
    [account.id, pupilId, t.now],
  );
  const [left] = await t.q<{ n: number }>(
    `SELECT count(*)::int AS n FROM parent_links WHERE parent_id = $1 AND revoked_at IS NULL`,
    [account.id],
  );
  let sessionsEnded = 0;
  if ((left?.n ?? 0) === 0) {
    const changed = await t.q(
      `UPDATE parent_accounts SET status = 'revoked', revoked_at = $2, revoked_reason = $3
       WHERE id = $1 AND status <> 'revoked' RETURNING id`,
      [account.id, t.now, reason],
    );
    sessionsEnded = await endParentSessions(t.db, account.id, `revoked_${reason}`, t.now);
    if (changed.length === 0 && links.length === 0 && sessionsEnded === 0) return 0;
  } else if (links.length === 0) return 0;
  await t.audit({
    action: 'parent.access_revoked',
    targetType: 'parent',
    targetId: account.id,
    details: { reason, sessionsEnded },
  });
  return sessionsEnded;
}

/**
 * The reminder job's work in one school (src/jobs/parent-reminders.ts): each invitation whose
 * reminder is due gets a new link by email (5 days after, then weekly, at most 4); an account or
 * invitation of a contact restricted since is ended.
 */
export async function chaseInvitations(
  t: SchoolTx,
  services: Pick<Services, 'config' | 'log'>,
): Promise<{ reminded: number; ended: number }> {
  const due = await t.q<{ id: string; email: string; reminders_sent: number }>(
    `SELECT id, email, reminders_sent FROM parent_invitations
     WHERE status = 'invited' AND next_reminder_at <= $1 AND reminders_sent < $2
     ORDER BY next_reminder_at FOR UPDATE SKIP LOCKED`,
    [t.now, MAX_REMINDERS],
  );
  for (const d of due) {
    const reminder = d.reminders_sent + 1;
    await t.q('UPDATE parent_invitations SET reminders_sent = $2 WHERE id = $1', [d.id, reminder]);
    await sendInvitation(t, services, { invitationId: d.id, email: d.email, reminder });
    await t.audit({
      action: 'parent.invitation_reminded',
      targetType: 'parent_invitation',
      targetId: d.id,
      details: { reminder },
    });
  }
  // Contacts restricted since they were invited or accepted: their access ends now.
  const today = t.now.toISOString().slice(0, 10);
  await t.q(
    `UPDATE parent_invitations i SET status = 'revoked', revoked_at = $2, token_hash = NULL,
       next_reminder_at = NULL
     WHERE i.status IN ('invited', 'bounced') AND ${restrictedContactSql('i.contact_id', '$1')}`,
    [today, t.now],
  );
  const restricted = await t.q<{ contact_id: string }>(
    `SELECT a.contact_id FROM parent_accounts a
     WHERE a.status <> 'revoked' AND ${restrictedContactSql('a.contact_id', '$1')}`,
    [today],
  );
  for (const r of restricted) await endAccess(t, r.contact_id, null, 'restricted');
  return { reminded: due.length, ended: restricted.length };
}
