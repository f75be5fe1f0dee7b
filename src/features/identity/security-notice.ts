// The email a member gets when their password or second factor changes (ASVS: notify of
// authentication changes), so a takeover does not go unseen. Sent only after the change has
// committed, from the route; a mail server that refuses or is down never undoes the change, and
// the warning it leaves in the log names neither the address nor the account. The email says only
// what kind of thing changed (src/platform/mail/mailer.ts, securityChangeEmail).
import type { Services } from '../../platform/services.ts';
import { securityChangeEmail, type SecurityChange } from '../../platform/mail/mailer.ts';

export async function sendSecurityNotice(
  services: Pick<Services, 'mailer' | 'log'>,
  to: string,
  change: SecurityChange,
): Promise<void> {
  if (!services.mailer) return;
  try {
    await services.mailer.send({ to, ...securityChangeEmail(change) });
  } catch {
    services.log.warn(
      `${change === 'password' ? 'password' : 'second-factor'} change notice could not be sent (mail server refused or unreachable)`,
    );
  }
}
