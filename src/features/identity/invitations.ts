// Sending single-use links: invitations (an administrator adds a member of staff) and password
// resets (anyone asks; nothing is revealed about whether the account exists). The email carries
// the link and nothing else — never a name, pupil or record.
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import type { VisitorContext } from '../../core/context.ts';
import { createLink, LINK_MINUTES, type LinkPurpose } from './links.ts';
import { signInLinkEmail } from '../../platform/mail/mailer.ts';
import { DomainError } from '../../core/errors.ts';
import {
  accountKey,
  addressKey,
  checkThrottle,
  recordFailure,
  throttleMessage,
} from './throttle.ts';

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

/**
 * "Forgotten password": throttled per email and per address, every request counting (so links
 * cannot be used to flood someone's inbox), then a link sent if the account exists and is not
 * disabled. The asker learns nothing either way.
 */
export async function requestPasswordReset(
  services: Services,
  door: VisitorContext,
  typed: string,
): Promise<void> {
  const now = services.clock.now();
  const email = typed.trim().toLowerCase();
  const keys = [accountKey(`reset:${email}`), addressKey(`reset:${door.origin.ip}`)];
  const throttled = await door.inPlatform(async (q) => {
    const s = await checkThrottle(q, keys, now);
    if (s.ok) {
      for (const [i, k] of keys.entries()) {
        await recordFailure(q, k, i === 0 ? 'account' : 'address', now);
      }
    }
    return s;
  });
  if (!throttled.ok) {
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled), {
      retryAfterSeconds: throttled.retryAfterSeconds,
    });
  }
  await sendResetLink(services, door, email);
}

async function sendResetLink(
  services: Services,
  door: VisitorContext,
  email: string,
): Promise<void> {
  const [login] = await door.inPlatform((q) =>
    q.query<{ user_id: string; school_id: string; disabled: boolean }>(
      'SELECT user_id, school_id, disabled FROM lantern_find_login($1)',
      [email],
    ),
  );
  if (!login || login.disabled) return;
  const link = await door.inSchool(login.school_id, async (t) => {
    const url = await linkFor(services, t.db, {
      schoolId: login.school_id,
      userId: login.user_id,
      purpose: 'reset',
      now: t.now,
    });
    await t.audit({
      action: 'auth.password_reset_requested',
      targetType: 'user',
      targetId: login.user_id,
    });
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
