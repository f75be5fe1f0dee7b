// Sending single-use links: invitations (an administrator adds a member of staff) and password
// resets (anyone asks; nothing is revealed about whether the account exists). The email carries
// the link and nothing else — never a name, pupil or record.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { inPlatform, inSchool } from '../../platform/db/tenancy.ts';
import { appendAudit } from '../../platform/audit/chain.ts';
import { auditActorOf, originOf } from '../../core/context.ts';
import { createLink, LINK_MINUTES, type LinkPurpose } from './links.ts';
import { signInLinkEmail } from '../../platform/mail/mailer.ts';
import { DomainError } from '../../core/errors.ts';

/**
 * The mailer, or a 503 saying why there is none. Called BEFORE the transaction that creates the
 * account or link, so a school without email gets a refusal and nothing half-made.
 */
export function requireMailer(services: Services): NonNullable<Services['mailer']> {
  if (!services.mailer) {
    throw new DomainError(
      'unavailable',
      'email_unavailable',
      'Lantern has no mail server configured, so the email with the link could not be sent. ' +
        'Ask whoever runs Lantern to set one up, then send the link again.',
    );
  }
  return services.mailer;
}

/** Sends a link made by linkFor, after its transaction committed (the link is already saved). */
export async function sendLink(
  mailer: NonNullable<Services['mailer']>,
  to: string,
  link: string,
): Promise<void> {
  try {
    await mailer.send({ to, ...signInLinkEmail(link, { validMinutes: LINK_MINUTES }) });
  } catch {
    throw new DomainError(
      'upstream_failed',
      'email_failed',
      'The change was saved, but the mail server did not take the email. ' +
        'Send the link again from the staff page in a few minutes.',
    );
  }
}

/** Creates a link in the caller's transaction; send it after commit with sendLink. */
export function linkFor(
  services: Services,
  tx: Queryable,
  p: { schoolId: string; userId: string; purpose: LinkPurpose; now: Date },
): Promise<string> {
  return createLink(tx, { ...p, origin: services.config.publicOrigin });
}

export async function sendResetLink(
  services: Services,
  req: FastifyRequest,
  email: string,
  now: Date,
): Promise<void> {
  const [login] = await inPlatform(services.db, (tx) =>
    tx.query<{ user_id: string; school_id: string; disabled: boolean }>(
      'SELECT user_id, school_id, disabled FROM lantern_find_login($1)',
      [email],
    ),
  );
  if (!login || login.disabled) return;
  const link = await inSchool(services.db, login.school_id, async (tx) => {
    const url = await linkFor(services, tx, {
      schoolId: login.school_id,
      userId: login.user_id,
      purpose: 'reset',
      now,
    });
    await appendAudit(
      tx,
      login.school_id,
      auditActorOf(originOf(req), null),
      { action: 'auth.password_reset_requested', targetType: 'user', targetId: login.user_id },
      now,
    );
    return url;
  });
  try {
    await sendLink(requireMailer(services), email, link);
  } catch {
    // The asker gets the same answer whatever happened here (nothing revealed about accounts).
    services.log.warn(
      'a password-reset link could not be sent (no mail server configured, or it refused)',
    );
  }
}
