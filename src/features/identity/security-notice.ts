// The email a member gets when their password or second factor changes (ASVS: notify of
// authentication changes), so a takeover does not go unseen. Queued only after the change has
// committed, from the route, and sent by the deferred-work worker once the request has been
// answered (issue 11, finding 12: no request waits for a mail server); a mail server that refuses
// or is down never undoes the change, the worker tries again, and the warning it leaves in the log
// names neither the address nor the account. The email says only what kind of thing changed
// (src/platform/mail/mailer.ts, securityChangeEmail).
import type { Services } from '../../platform/services.ts';
import type { SecurityChange } from '../../platform/mail/mailer.ts';
import { sendLater } from '../../platform/mail/outbox.ts';

export async function sendSecurityNotice(
  services: Services,
  to: string,
  change: SecurityChange,
): Promise<void> {
  if (!services.mailer) return;
  await sendLater(services, { template: 'security_change', to, change });
}
