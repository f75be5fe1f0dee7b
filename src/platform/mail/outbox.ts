// Outgoing email through the deferred-work queue (src/platform/queue): no request waits for a mail
// server, so an answer takes the same time whether or not an email follows it (issue 11, finding
// 12), and a mail server that is down only delays the email. A queued email holds the address and
// what the template needs (a link, the kind of change) — never a rendered body — sealed in the
// queue; the text is made from the templates in mailer.ts when it is sent. A link's email is
// dropped once the link has expired, and says how many minutes are left when it goes. Failures
// are logged by code only. To change safely: add a template to QueuedMail and to render() together,
// and keep every field of a payload something a template needs.
import type { Queryable } from '../db/engine.ts';
import { inPlatform } from '../db/tenancy.ts';
import type { Services } from '../services.ts';
import { enqueue, WorkFailed, type WorkHandler } from '../queue/work-queue.ts';
import { wakeWorker } from '../queue/worker.ts';
import {
  alertEmail,
  anchorCodeEmail,
  newDeviceEmail,
  operatorIncidentEmail,
  transferCodeEmail,
  transferLinkEmail,
  securityChangeEmail,
  signInLinkEmail,
  type MailContent,
  type SecurityChange,
} from './mailer.ts';

export type QueuedMail =
  | { template: 'sign_in_link'; to: string; link: string; expiresAt: string }
  | { template: 'security_change'; to: string; change: SecurityChange }
  | { template: 'new_device'; to: string; when: string }
  | { template: 'alert'; to: string; url: string }
  | { template: 'anchor_code'; to: string; code: string; school?: string }
  | { template: 'operator_incident'; to: string; school: string; url: string }
  | { template: 'transfer_link'; to: string; school: string; link: string; expiresAt: string }
  | { template: 'transfer_code'; to: string; code: string; expiresAt: string };

export const MAIL_KIND = 'mail.send';

type Keyed = Pick<Services, 'config' | 'log'>;

/** Queues an email in the caller's transaction: it is sent only if the transaction commits. */
export function queueMail(
  q: Queryable,
  services: Keyed,
  mail: QueuedMail,
  now: Date,
): Promise<void> {
  return enqueue(q, services, { kind: MAIL_KIND, payload: mail, now });
}

/**
 * Queues a notice on its own, after the change it tells of has committed (a password changed, a
 * new device), and wakes the worker, which sends it once the current request has been answered.
 * The change is saved whatever happens here, so a failure to queue is logged (by its kind only)
 * and never turned into an error for the request. Work that can, queues its email inside its own
 * transaction with queueMail instead: then the email goes if and only if the change committed.
 */
export async function sendLater(services: Services, mail: QueuedMail): Promise<void> {
  try {
    const now = services.clock.now();
    await inPlatform(services.db, (q) => queueMail(q, services, mail, now));
    wakeWorker(services);
  } catch (err) {
    services.log.error(
      `email not queued: a ${mail.template} notice (${err instanceof Error ? err.name : 'error'})`,
    );
  }
}

function render(mail: QueuedMail, now: Date): MailContent {
  switch (mail.template) {
    case 'sign_in_link': {
      const left = (Date.parse(mail.expiresAt) - now.getTime()) / 60_000;
      if (!(left > 0)) throw new WorkFailed('link_expired', { permanent: true });
      return signInLinkEmail(mail.link, { validMinutes: Math.max(1, Math.round(left)) });
    }
    case 'security_change':
      return securityChangeEmail(mail.change);
    case 'new_device':
      return newDeviceEmail({ when: new Date(mail.when) });
    case 'alert':
      return alertEmail({ url: mail.url });
    case 'anchor_code':
      return anchorCodeEmail(
        mail.school ? { code: mail.code, school: mail.school } : { code: mail.code },
      );
    case 'operator_incident':
      return operatorIncidentEmail({ school: mail.school, url: mail.url });
    case 'transfer_link':
    case 'transfer_code': {
      // Both are dropped once what they carry has expired.
      const left = (Date.parse(mail.expiresAt) - now.getTime()) / 60_000;
      if (!(left > 0)) throw new WorkFailed('link_expired', { permanent: true });
      return mail.template === 'transfer_link'
        ? transferLinkEmail({
            school: mail.school,
            link: mail.link,
            expiresAt: new Date(mail.expiresAt),
          })
        : transferCodeEmail({ code: mail.code, validMinutes: Math.max(1, Math.round(left)) });
    }
  }
}

function isQueuedMail(p: unknown): p is QueuedMail {
  if (typeof p !== 'object' || p === null) return false;
  const m = p as Record<string, unknown>;
  if (typeof m.to !== 'string') return false;
  switch (m.template) {
    case 'sign_in_link':
      return typeof m.link === 'string' && typeof m.expiresAt === 'string';
    case 'security_change':
      return m.change === 'password' || m.change === 'second_factor';
    case 'new_device':
      return typeof m.when === 'string';
    case 'alert':
      return typeof m.url === 'string';
    case 'anchor_code':
      return typeof m.code === 'string' && (m.school === undefined || typeof m.school === 'string');
    case 'operator_incident':
      return typeof m.school === 'string' && typeof m.url === 'string';
    case 'transfer_link':
      return (
        typeof m.school === 'string' &&
        typeof m.link === 'string' &&
        typeof m.expiresAt === 'string'
      );
    case 'transfer_code':
      return typeof m.code === 'string' && typeof m.expiresAt === 'string';
    default:
      return false;
  }
}

/** Sends one queued email; a refusal becomes a code (5xx: permanent; anything else: try again). */
export const sendQueuedMail: WorkHandler = async (payload, services) => {
  if (!isQueuedMail(payload)) throw new WorkFailed('bad_payload', { permanent: true });
  const content = render(payload, services.clock.now());
  if (!services.mailer) throw new WorkFailed('no_mailer');
  try {
    await services.mailer.send({ to: payload.to, ...content });
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('Refusing to send')) {
      throw new WorkFailed('bad_address', { permanent: true });
    }
    const code = (err as { responseCode?: unknown } | null)?.responseCode;
    if (typeof code === 'number' && code >= 500) {
      throw new WorkFailed('smtp_rejected', { permanent: true });
    }
    throw new WorkFailed('smtp_failed');
  }
};

export const MAIL_WORK = { [MAIL_KIND]: sendQueuedMail } as const;
