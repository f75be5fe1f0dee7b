// Outgoing email (sign-in links, new-device notices, alerts) over SMTP, and the templates.
// Email is not a safe channel for safeguarding information: every template here says only that
// something was asked for or is waiting in Lantern — never record content, pupils' or staff names.
import nodemailer from 'nodemailer';

export interface MailerConfig {
  /** e.g. smtps://user:pass@mail.example:465 or smtp://relay.local:25?requireTLS=true */
  smtpUrl?: string | undefined;
  /** The From address, e.g. "Lantern <lantern@school.example>". */
  from: string;
  /** Development only: with no SMTP configured, write each message to the log instead. */
  devLogLinks: boolean;
  log: (msg: string) => void;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

export interface MailContent {
  subject: string;
  text: string;
}

/** How long the mail server may keep silent at connection, greeting, or any later step. */
export const SMTP_TIMEOUT_MS = 30_000;

/** One plain address; no display names, lists or line breaks (header injection). */
const SINGLE_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/**
 * Builds the mailer from configuration. Fails at start-up, not at the first sign-in, when there is
 * no SMTP server and logging links is not allowed: without email nobody can get a sign-in link.
 * Logging links prints working sign-in links to the log, so it must only ever be enabled in
 * development — the configuration module decides that, never this one.
 */
export function createMailer(config: MailerConfig): Mailer {
  const smtpUrl = config.smtpUrl?.trim();
  if (!smtpUrl) {
    if (!config.devLogLinks) {
      throw new Error(
        'No SMTP server is configured, so Lantern cannot send sign-in links. Set the SMTP URL ' +
          '(smtp:// or smtps://) in the configuration; only in development may links be logged instead.',
      );
    }
    return {
      send(mail) {
        checkMail(mail);
        config.log(
          `[development] email not sent (no SMTP configured)\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`,
        );
        return Promise.resolve();
      },
    };
  }
  // nodemailer waits up to 10 minutes on a silent server by default: longer than the queue's lease
  // (work-queue.ts LEASE_MS), after which another process would send the same email. Each step is
  // bounded well under it (settings in the URL's query still win).
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      checkMail(mail);
      await transport.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
    },
  };
}

function checkMail(mail: OutgoingMail): void {
  if (!SINGLE_ADDRESS.test(mail.to)) throw new Error('Refusing to send: invalid recipient address');
  if (/[\r\n]/.test(mail.subject)) throw new Error('Refusing to send: line break in subject');
}

const FOOTER =
  '\n\n— Lantern, your school’s safeguarding records system.\n' +
  'This message never contains record details. If you were not expecting it, tell your school’s ' +
  'Lantern administrator.';

/** A sign-in or password-reset link. Says only that a link was asked for. */
export function signInLinkEmail(link: string, opts: { validMinutes?: number } = {}): MailContent {
  const minutes = opts.validMinutes ?? 30;
  return {
    subject: 'Your Lantern sign-in link',
    text:
      'Someone — we hope you — asked for a link to sign in to Lantern or set your password.\n\n' +
      `${link}\n\n` +
      `The link works once and expires in ${minutes} minutes. If you did not ask for it, you can ` +
      'ignore this email: nothing has changed.' +
      FOOTER,
  };
}

/** Notice of a sign-in from a device not seen before on this account. */
export function newDeviceEmail(opts: { when: Date }): MailContent {
  return {
    subject: 'New sign-in to your Lantern account',
    text:
      `Your Lantern account was signed in to from a new device or browser on ${londonTime(opts.when)} (UK time).\n\n` +
      'If this was you, there is nothing to do. If it was not, change your password straight away ' +
      'and tell your school’s Lantern administrator or designated safeguarding lead.' +
      FOOTER,
  };
}

/** What changed on an account, for the notice below. */
export type SecurityChange = 'password' | 'second_factor';

/**
 * Notice that the account's password or second factor changed. Says only that, and what to do if
 * it was not them: no time, device, address or method that could help someone who reads the mail.
 */
export function securityChangeEmail(change: SecurityChange): MailContent {
  const what = change === 'password' ? 'password' : 'second factor';
  return {
    subject: `Your Lantern ${what} was changed`,
    text:
      `The ${what} on your Lantern account was changed.\n\n` +
      'If this was you, there is nothing to do. If it was not you, contact your school straight ' +
      'away.' +
      FOOTER,
  };
}

/** An alert: there is something in Lantern for the recipient to look at. */
export function alertEmail(opts: { url?: string } = {}): MailContent {
  const where = opts.url ? `:\n\n${opts.url}` : '.';
  return {
    subject: 'You have a new alert in Lantern',
    text:
      `There is something new for you to look at in Lantern. Please sign in to see it${where}` +
      FOOTER,
  };
}

/**
 * The day's anchor code for the DPO (issue 20): the code, which holds only a date, a number and
 * part of a hash, and the school's name — nothing about any child, member or record.
 */
export function anchorCodeEmail(opts: { code: string; school?: string }): MailContent {
  // The school's name (not a child's, nor anything recorded) so a DPO serving several schools
  // knows which trail the code anchors; codes queued before it was added go without.
  const whose = opts.school ? `${opts.school}’s` : 'your school’s';
  return {
    subject: opts.school
      ? `Your audit anchor code for today: ${opts.school}`
      : 'Your audit anchor code for today',
    text:
      `Today’s anchor code for ${whose} audit trail is:\n\n${opts.code}\n\n` +
      'Keep this email. If you ever doubt the audit trail, read the code back into "Check a code" ' +
      'on Lantern’s audit trail page (or give it to your operator for `lantern audit verify`): a ' +
      'trail cut short or rewritten since today will no longer match it.' +
      FOOTER,
  };
}

/**
 * The operator's notice to a school's data-protection contacts (issue 17): an incident at the
 * hosting operator may affect the school, a draft is waiting in its breach register, and where
 * the 72 hours run from. The school's name (so a DPO serving several schools knows which) and the
 * link to sign in; never the incident's description, a pupil or anything recorded.
 */
export function operatorIncidentEmail(opts: { school: string; url: string }): MailContent {
  return {
    subject: `Security incident notice from your Lantern operator: ${opts.school}`,
    text:
      `The organisation that hosts Lantern for ${opts.school} has recorded a security incident ` +
      'that may affect the school’s data in Lantern.\n\n' +
      'A draft has been opened in the school’s breach register with what the operator has told ' +
      'us and what Lantern’s audit trail shows for the school. Please sign in to Lantern to read ' +
      `it and decide whether it is a personal data breach:\n\n${opts.url}\n\n` +
      'If it is, the 72 hours for telling the ICO run from this notice.' +
      FOOTER,
  };
}

function londonTime(when: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(when);
}

/**
 * A child-protection file sent to a school on no Lantern (issue 18): the sending school's name
 * (so the DSL knows whom it is from), the link and when it expires; never the pupil or anything
 * recorded. The link alone opens nothing: a code comes in a separate email.
 */
export function transferLinkEmail(opts: {
  school: string;
  link: string;
  expiresAt: Date;
}): MailContent {
  return {
    subject: `A secure file transfer from ${opts.school}`,
    text:
      `${opts.school} has sent your school a child-protection file, for a pupil moving to your ` +
      'school, to your address as its designated safeguarding lead. Open it here:\n\n' +
      `${opts.link}\n\n` +
      `The link works only for you and expires on ${londonTime(opts.expiresAt)} (UK time). On the ` +
      'page, ask for a one-time code: it comes to this address in a separate email. Please confirm ' +
      'receipt on the same page once you have opened the file. Do not forward this email.' +
      FOOTER,
  };
}

/** The one-time code that opens a transfer link: the code and how long it lasts, nothing else. */
export function transferCodeEmail(opts: { code: string; validMinutes: number }): MailContent {
  return {
    subject: 'Your code to open a secure file transfer',
    text:
      `Your one-time code is:\n\n${opts.code}\n\n` +
      `Enter it on the transfer page within ${opts.validMinutes} minutes. If you did not ask for a ` +
      'code, you can ignore this email: nothing has been opened.' +
      FOOTER,
  };
}
