// Emails for new alerts, queued in the same transaction that raised the alerts (so an email goes
// if and only if the alert committed) and sent by the deferred-work worker shortly after the
// answer (src/platform/mail/outbox.ts): no request waits for a mail server. Email is not a safe
// channel: the message is alertEmail(), which says only that there is something to look at. A
// failed send is retried by the queue and logged by code only, and never undoes the record (the
// alert is on the dashboard regardless). Without a mail server configured, nothing is queued.
import type { Services } from '../../platform/services.ts';
import type { SchoolTx } from '../../core/context.ts';
import { queueMail } from '../../platform/mail/outbox.ts';
import { wakeWorker } from '../../platform/queue/worker.ts';

/** Queues one alert email to each active member alerted, inside the alerts' own transaction. */
export async function queueAlertEmails(
  t: Pick<SchoolTx, 'q' | 'db' | 'now'>,
  services: Pick<Services, 'config' | 'log' | 'mailer'>,
  userIds: readonly string[],
): Promise<void> {
  if (!services.mailer || userIds.length === 0) return;
  const rows = await t.q<{ email: string }>(
    'SELECT email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [[...new Set(userIds)]],
  );
  const url = `${services.config.publicOrigin}/`;
  for (const { email } of rows) {
    await queueMail(t.db, services, { template: 'alert', to: email, url }, t.now);
  }
}

/** After the commit: the worker sends what was queued once the answer has gone. */
export const sendQueuedMailSoon = (services: Pick<Services, 'db'>) => wakeWorker(services);
