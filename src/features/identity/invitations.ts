// Sending single-use links: invitations (an administrator adds a member of staff) and password
// resets (anyone asks; nothing is revealed about whether the account exists). The email carries
// the link and nothing else — never a name, pupil or record. No request waits for the mail server
// (issue 11, finding 12): a link's email goes through the deferred-work queue after the answer,
// and a "forgotten password" queues the whole of its work (deferred-work.ts), so its answer is the
// same work for every email. To change safely: keep requestPasswordReset free of anything that
// depends on whether the account exists.
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import type { VisitorContext } from '../../core/context.ts';
import { createLink, LINK_MINUTES, type LinkPurpose } from './links.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import { wakeWorker } from '../../platform/queue/worker.ts';
import { DomainError } from '../../core/errors.ts';
import {
  accountKey,
  addressKey,
  checkThrottle,
  recordFailure,
  throttleMessage,
} from './throttle.ts';
import { queuePasswordReset } from './deferred-work.ts';

/** Where a link's email goes once a mail server is known to be configured (requireMailer). */
export type LinkOutbox = { readonly services: Services };

/**
 * The outbox for a link's email, or a 503 saying why there is none. Called BEFORE the transaction
 * that creates the account or link, so a school without email gets a refusal and nothing
 * half-made.
 */
export function requireMailer(services: Services): LinkOutbox {
  if (!services.mailer) {
    throw new DomainError(
      'unavailable',
      'email_unavailable',
      'Lantern has no mail server configured, so the email with the link could not be sent. ' +
        'Ask whoever runs Lantern to set one up, then send the link again.',
    );
  }
  return { services };
}

/**
 * Queues the email of a link made by linkFor, in the same transaction (so it goes if and only if
 * the link is saved); the worker sends it once the request has been answered (wake it after the
 * commit), trying again while the mail server refuses and the link has not expired.
 */
export async function queueLink(
  outbox: LinkOutbox,
  t: { db: Queryable; now: Date },
  to: string,
  link: string,
): Promise<void> {
  const expiresAt = new Date(t.now.getTime() + LINK_MINUTES * 60_000);
  await queueMail(
    t.db,
    outbox.services,
    { template: 'sign_in_link', to, link, expiresAt: expiresAt.toISOString() },
    t.now,
  );
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
 * cannot be used to flood someone's inbox), then one row queued — the same work for every email.
 * The worker makes and sends a link if the account exists and is not disabled (deferred-work.ts);
 * the asker learns nothing either way, not even from how long the answer took.
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
      await queuePasswordReset(q, services, { email, origin: door.origin, now });
    }
    return s;
  });
  if (!throttled.ok) {
    throw new DomainError('too_many_attempts', 'too_many_attempts', throttleMessage(throttled), {
      retryAfterSeconds: throttled.retryAfterSeconds,
    });
  }
  wakeWorker(services);
}
