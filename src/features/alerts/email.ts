// Emails for new alerts, sent after the transaction that raised them has committed. Email is not
// a safe channel: the message is alertEmail(), which says only that there is something to look at.
// A failed send is logged and never undoes the record (the alert is on the dashboard regardless).
// The addresses are read through the door as system work (nothing is written or audited).
import type { Services } from '../../platform/services.ts';
import { asSystem } from '../../core/context.ts';
import { alertEmail } from '../../platform/mail/mailer.ts';

export async function emailAlerted(
  services: Services,
  schoolId: string,
  userIds: readonly string[],
): Promise<void> {
  const mailer = services.mailer;
  if (!mailer || userIds.length === 0) return;
  const rows = await asSystem(services, schoolId, 'scheduled').tx((t) =>
    t.q<{ email: string }>(
      'SELECT email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
      [[...new Set(userIds)]],
    ),
  );
  const content = alertEmail({ url: `${services.config.publicOrigin}/` });
  for (const { email } of rows) {
    try {
      await mailer.send({ to: email, ...content });
    } catch (err) {
      services.log.warn(`alert email not sent: ${err instanceof Error ? err.message : 'error'}`);
    }
  }
}
