import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { alertEmail, createMailer, newDeviceEmail, signInLinkEmail } from './mailer.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const received: Received[] = [];
let server: SMTPServer;
let smtpUrl = '';

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  smtpUrl = `smtp://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(resolve));
});

/** Undo quoted-printable soft breaks and escapes so the body can be searched. */
function body(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('createMailer over SMTP', () => {
  it('delivers a sign-in link to a real SMTP server on loopback', async () => {
    const logs: string[] = [];
    const mailer = createMailer({
      smtpUrl,
      from: 'Lantern <lantern@school.example>',
      devLogLinks: false,
      log: (m) => logs.push(m),
    });
    const link = 'https://lantern.test/auth/link/abc123';
    await mailer.send({ to: 'sam@school.example', ...signInLinkEmail(link) });
    const mail = received.at(-1);
    expect(mail?.from).toBe('lantern@school.example');
    expect(mail?.to).toEqual(['sam@school.example']);
    expect(mail?.raw).toContain('Subject: Your Lantern sign-in link');
    expect(body(mail?.raw ?? '')).toContain(link);
    expect(body(mail?.raw ?? '')).toContain('expires in 30 minutes');
    expect(logs).toEqual([]);
  });

  it('refuses a recipient that would inject headers or add recipients', async () => {
    const mailer = createMailer({
      smtpUrl,
      from: 'l@school.example',
      devLogLinks: false,
      log: () => {},
    });
    const mail = alertEmail();
    await expect(mailer.send({ to: 'a@x.example\r\nBcc: b@y.example', ...mail })).rejects.toThrow(
      /invalid recipient/,
    );
    await expect(mailer.send({ to: 'a@x.example, b@y.example', ...mail })).rejects.toThrow(
      /invalid recipient/,
    );
  });

  it('reports a failed delivery as a rejected promise', async () => {
    const mailer = createMailer({
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'l@school.example',
      devLogLinks: false,
      log: () => {},
    });
    await expect(mailer.send({ to: 'sam@school.example', ...alertEmail() })).rejects.toThrow();
  });
});

describe('createMailer without SMTP', () => {
  it('logs the message for the operator when development logging is on', async () => {
    const logs: string[] = [];
    const mailer = createMailer({
      from: 'l@school.example',
      devLogLinks: true,
      log: (m) => logs.push(m),
    });
    await mailer.send({
      to: 'sam@school.example',
      ...signInLinkEmail('https://lantern.test/l/xyz'),
    });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('https://lantern.test/l/xyz');
    expect(logs[0]).toContain('To: sam@school.example');
  });

  it('fails at creation with a clear message otherwise', () => {
    expect(() =>
      createMailer({ smtpUrl: '  ', from: 'l@school.example', devLogLinks: false, log: () => {} }),
    ).toThrow(/No SMTP server is configured/);
  });
});

describe('templates carry no record content', () => {
  it('sign-in link: says a link was asked for, and nothing else', () => {
    const mail = signInLinkEmail('https://lantern.test/l/1', { validMinutes: 15 });
    expect(mail.text).toContain('asked for a link');
    expect(mail.text).toContain('expires in 15 minutes');
  });

  it('new device: gives the time in UK time', () => {
    const mail = newDeviceEmail({ when: new Date('2025-07-01T08:30:00Z') });
    expect(mail.subject).toBe('New sign-in to your Lantern account');
    expect(mail.text).toMatch(/Tuesday,? 1 July 2025 at 09:30 \(UK time\)/);
  });

  it('alert: says only that there is something to look at', () => {
    expect(alertEmail().text).toContain('There is something new for you to look at');
    expect(alertEmail({ url: 'https://lantern.test/alerts' }).text).toContain(
      'https://lantern.test/alerts',
    );
  });

  it('take no parameter that could carry a name or record text', () => {
    // The templates' inputs are a link, a date and a URL: nothing else can reach the email.
    expect(signInLinkEmail.length).toBe(1);
    expect(newDeviceEmail.length).toBe(1);
    for (const mail of [
      signInLinkEmail('https://x.test/'),
      newDeviceEmail({ when: new Date() }),
      alertEmail(),
    ]) {
      expect(mail.text).toContain('never contains record details');
    }
  });
});
