// `lantern trust …` (issue 20): make a trust and its members (trust safeguarding lead, trust
// executive). A trust member belongs to a trust, not a school; they set up their authenticator app
// at their first sign-in at /trust.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices, type Services } from '../platform/services.ts';
import { createTrust } from '../features/administration/create-school.ts';
import { addTrustMember, isTrustRole, setTrustMemberStatus } from '../features/trust/members.ts';
import { TRUST_ROLES } from '../core/trust-context.ts';

async function withServices<T>(config: () => Config, fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await createServices(config(), {
    log: { info: console.log, warn: console.warn, error: console.error },
    ensureLoginRole: false,
  });
  try {
    return await fn(services);
  } finally {
    await services.db.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerTrustCommands(program: Command, config: () => Config): void {
  const trust = program.command('trust').description('Manage trusts and their members.');
  trust
    .command('create')
    .description("Create a trust; prints the new trust's id last.")
    .requiredOption('--name <name>', 'the trust name')
    .action(async (opts: { name: string }) => {
      await withServices(config, async (s) => {
        const id = await createTrust(s.db, opts.name);
        console.log(`Created trust "${opts.name}".`);
        console.log(id);
      });
    });
  trust
    .command('add-member')
    .description('Add a trust member (they set up an authenticator app at first sign-in).')
    .requiredOption('--trust <trustId>', 'the trust id')
    .requiredOption('--email <email>', 'their email address')
    .requiredOption('--name <name>', 'their full name')
    .requiredOption('--role <role>', `one of ${TRUST_ROLES.join(', ')}`)
    .option(
      '--password-stdin',
      'read the password from standard input (else a random one is printed)',
    )
    .action(
      async (opts: {
        trust: string;
        email: string;
        name: string;
        role: string;
        passwordStdin?: boolean;
      }) => {
        if (!isTrustRole(opts.role)) {
          throw new Error(`--role must be one of ${TRUST_ROLES.join(', ')}`);
        }
        const role = opts.role;
        const password = opts.passwordStdin
          ? (await readStdin()).trim()
          : `${Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url')}!7`;
        await withServices(config, async (s) => {
          const id = await addTrustMember(s, {
            trustId: opts.trust,
            email: opts.email,
            name: opts.name,
            role,
            password,
          });
          console.log(`Added ${role} ${opts.email}.`);
          if (!opts.passwordStdin) console.log(`Temporary password (shown once): ${password}`);
          console.log(id);
        });
      },
    );
  for (const [name, status, says] of [
    [
      'disable-member',
      'disabled',
      'Disable a trust member: ends their sessions; they cannot sign in.',
    ],
    ['enable-member', 'active', 'Enable a disabled trust member again.'],
  ] as const) {
    trust
      .command(name)
      .description(says)
      .requiredOption('--email <email>', 'their email address')
      .action(async (opts: { email: string }) => {
        await withServices(config, async (s) => {
          const r = await setTrustMemberStatus(s, { email: opts.email, status });
          console.log(
            !r.changed
              ? `${opts.email} was already ${status === 'active' ? 'enabled' : 'disabled'}.`
              : status === 'disabled'
                ? `Disabled ${opts.email}; ended ${r.sessionsEnded} session(s).`
                : `Enabled ${opts.email}.`,
          );
        });
      });
  }
}
