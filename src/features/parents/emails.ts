// Parents' emails (issue 21), sent by the deferred-work worker under their own kind so that a
// refusal can be seen: an invitation the receiving mail server refuses outright (5xx) marks the
// invitation bounced (audited), for staff to see and correct. Every email says only that there is
// something to look at, with the link: never a child's name, the school's records or any data.
// To change safely: keep every field of a payload something a template needs, and keep the text
// free of names and data (emails.test in invitations.test.ts reads what is delivered).
import type { Services } from '../../platform/services.ts';
import type { Queryable } from '../../platform/db/engine.ts';
import { enqueue, WorkFailed, type WorkHandler } from '../../platform/queue/work-queue.ts';
import { wakeWorker } from '../../platform/queue/worker.ts';
import { asSystem, NO_ORIGIN, visitor } from '../../core/context.ts';
import type { MailContent } from '../../platform/mail/mailer.ts';

export const PARENT_MAIL_KIND = 'parents.mail';

export type ParentMail =
  | {
      template: 'invitation' | 'reminder';
      to: string;
      link: string;
      schoolId: string;
      invitationId: string;
    }
  | { template: 'new_device'; to: string; when: string }
  | { template: 'second_factor_reset'; to: string };

const FOOTER =
  '\n\n— Lantern for parents and carers, used by your child’s school.\n' +
  'This message never contains any details about your child. If you were not expecting it, ' +
  'contact the school office.';

function londonTime(d: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'long',
    timeStyle: 'short',
  }).format(d);
}

export function renderParentMail(mail: ParentMail): MailContent {
  switch (mail.template) {
    case 'invitation':
      return {
        subject: 'Your child’s school has invited you to Lantern',
        text:
          'Your child’s school has invited you to set up an account for parents and carers, ' +
          `where there will be things for you to look at.\n\nStart here:\n${mail.link}\n\n` +
          'You will be asked for your child’s date of birth, to choose a password and to set up ' +
          'an authenticator app.' +
          FOOTER,
      };
    case 'reminder':
      return {
        subject: 'Reminder: your invitation to Lantern',
        text:
          'Your child’s school invited you to set up an account for parents and carers, and ' +
          `there are things waiting for you to look at.\n\nStart here:\n${mail.link}` +
          FOOTER,
      };
    case 'new_device':
      return {
        subject: 'New sign-in to your Lantern account',
        text:
          `Your account was signed in to from a new device or browser on ${londonTime(new Date(mail.when))} (UK time).\n\n` +
          'If this was you, there is nothing to do. If it was not, contact the school office ' +
          'straight away.' +
          FOOTER,
      };
    case 'second_factor_reset':
      return {
        subject: 'The second step of signing in to Lantern was reset',
        text:
          'Your child’s school has reset the second step of signing in to your Lantern account ' +
          '(the authenticator app or passkey). The next time you sign in you will be asked to ' +
          'set one up again.\n\nIf you did not ask the school for this, contact the school ' +
          'office straight away.' +
          FOOTER,
      };
  }
}

/** Queues a parent's email in the caller's transaction (sent only if it commits). */
export function queueParentMail(
  q: Queryable,
  services: Pick<Services, 'config' | 'log'>,
  mail: ParentMail,
  now: Date,
): Promise<void> {
  return enqueue(q, services, { kind: PARENT_MAIL_KIND, payload: mail, now });
}

/** Queues a notice after its change has committed (a new device); never fails the request. */
export async function sendParentMailLater(services: Services, mail: ParentMail): Promise<void> {
  try {
    const now = services.clock.now();
    await visitor(services, NO_ORIGIN).inPlatform((q) => queueParentMail(q, services, mail, now));
    wakeWorker(services);
  } catch (err) {
    services.log.error(`parent email not queued (${err instanceof Error ? err.name : 'error'})`);
  }
}

function isParentMail(p: unknown): p is ParentMail {
  if (typeof p !== 'object' || p === null) return false;
  const m = p as Record<string, unknown>;
  if (typeof m.to !== 'string') return false;
  if (m.template === 'new_device') return typeof m.when === 'string';
  if (m.template === 'second_factor_reset') return true;
  return (
    (m.template === 'invitation' || m.template === 'reminder') &&
    typeof m.link === 'string' &&
    typeof m.schoolId === 'string' &&
    typeof m.invitationId === 'string'
  );
}

/** Sends one; a 5xx refusal of an invitation or reminder marks the invitation bounced. */
export const sendParentMail: WorkHandler = async (payload, services) => {
  if (!isParentMail(payload)) throw new WorkFailed('bad_payload', { permanent: true });
  if (!services.mailer) throw new WorkFailed('no_mailer');
  try {
    await services.mailer.send({ to: payload.to, ...renderParentMail(payload) });
    return;
  } catch (err) {
    const code = (err as { responseCode?: unknown } | null)?.responseCode;
    const refused =
      (err instanceof Error && err.message.startsWith('Refusing to send')) ||
      (typeof code === 'number' && code >= 500);
    if (!refused) throw new WorkFailed('smtp_failed');
  }
  if (payload.template === 'invitation' || payload.template === 'reminder') {
    const { schoolId, invitationId } = payload;
    await asSystem(services, schoolId, 'scheduled').tx(async (t) => {
      const hit = await t.q(
        `UPDATE parent_invitations SET status = 'bounced', bounced_at = $2, next_reminder_at = NULL
         WHERE id = $1 AND status = 'invited' RETURNING id`,
        [invitationId, t.now],
      );
      if (hit.length > 0) {
        await t.audit({
          action: 'parent.invitation_bounced',
          targetType: 'parent_invitation',
          targetId: invitationId,
        });
      }
    });
  }
  throw new WorkFailed('smtp_rejected', { permanent: true });
};

export const PARENTS_WORK = { [PARENT_MAIL_KIND]: sendParentMail } as const;
