// Emails for new alerts, queued once the transaction that raised them has committed and sent by
// the deferred-work worker (src/platform/mail/outbox.ts), so no request waits for a mail server.
// Email is not a safe channel: the message is alertEmail(), which says only that there is
// something to look at. A failed send is retried by the queue and logged by code only, and never
// undoes the record (the alert is on the dashboard regardless). The addresses are read through
// the door as system work (nothing is written or audited).
import type { Services } from '../../platform/services.ts';
import { asSystem } from '../../core/context.ts';
import { sendLater } from '../../platform/mail/outbox.ts';

export async function emailAlerted(
  services: Services,
  schoolId: string,
  userIds: readonly string[],
): Promise<void> {
  if (!services.mailer || userIds.length === 0) return;
  const rows = await asSystem(services, schoolId, 'scheduled').tx((t) =>
    t.q<{ email: string }>(
      'SELECT email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
      [[...new Set(userIds)]],
    ),
  );
  const url = `${services.config.publicOrigin}/`;
  await sendLater(
    services,
    rows.map(({ email }) => ({ template: 'alert' as const, to: email, url })),
  );
}
