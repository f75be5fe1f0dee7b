// Operator commands that work on the database directly: migrate, school create, user create,
// keys rotate, audit verify. Each opens the configured database, does one thing, closes it. They
// act as the owner (DATABASE_OWNER_URL, or DATABASE_URL alone) through unsafeAsOperator and
// migrate; only `mis import` works through the request-time login, like the server.
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createServices, type Services } from '../platform/services.ts';
import { createSchool } from '../features/administration/create-school.ts';
import { createUser } from '../features/administration/create-user.ts';
import { isRole, ROLES } from '../core/access/actor.ts';
import { verifyAudit } from '../platform/audit/verify.ts';
import { checkAnchors, loadOrCreateAnchorKey, writeAnchors } from '../platform/audit/anchors.ts';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runAuditCheck } from '../jobs/data-protection.ts';
import { asSystem } from '../core/context.ts';
import { anchorCodeChain, checkAnchorCode } from '../features/audit-trail/anchor-code.ts';
import { DomainError } from '../core/errors.ts';
import { rotateMasterKey } from './rotate-command.ts';
import { migrate } from '../platform/db/migrate.ts';
import {
  ensureConfiguredLoginRole,
  keyringLoader,
  openConfiguredDatabase,
} from '../platform/services.ts';
import { SchoolKeys } from '../platform/crypto/school-keys.ts';
import { registerSchoolExitCommands } from './school-exit-command.ts';

async function withServices<T>(config: () => Config, fn: (s: Services) => Promise<T>): Promise<T> {
  // Only `migrate` makes Lantern's own login role: the other commands log in with it and leave
  // it alone, so a command run from another machine cannot change the password servers use.
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

export function registerDbCommands(program: Command, config: () => Config): void {
  program
    .command('migrate')
    .description('Apply any new database migrations, each in its own transaction.')
    .action(async () => {
      const c = config();
      const db = await openConfiguredDatabase(c);
      try {
        // A migration may seal existing records (0011) with the server's master key, loaded
        // only if there are records to seal.
        const log = { info: console.log, warn: console.warn, error: console.error };
        const keys = () => new SchoolKeys(keyringLoader(c, log));
        const applied = await migrate(db, undefined, { keys });
        // Given only the owner's address, the login role request-time work uses (issue 11): made
        // if missing; its password is set only then or when LANTERN_DB_LOGIN_PASSWORD is given.
        await ensureConfiguredLoginRole(c, db);
        console.log(
          applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.',
        );
      } finally {
        await db.close();
      }
    });

  const school = program.command('school').description('Manage schools.');
  school
    .command('create')
    .description(
      "Create a school with its own keys and starting categories; prints the new school's id last.",
    )
    .requiredOption('--name <name>', 'the school name')
    .option('--trust <trustId>', 'the id of the trust it belongs to')
    .action(async (opts: { name: string; trust?: string }) => {
      await withServices(config, async (s) => {
        const id = await createSchool(s, { name: opts.name, trustId: opts.trust ?? null });
        console.log(`Created school "${opts.name}".`);
        console.log(id);
      });
    });

  registerSchoolExitCommands(school, config);

  const user = program.command('user').description('Manage staff accounts.');
  user
    .command('create')
    .description('Create a staff account with a password.')
    .requiredOption('--school <schoolId>', 'the school id')
    .requiredOption('--email <email>', 'their email address')
    .requiredOption('--name <name>', 'their full name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option(
      '--password-stdin',
      'read the password from standard input (otherwise LANTERN_NEW_PASSWORD is not used; a random one is printed)',
    )
    .action(
      async (opts: {
        school: string;
        email: string;
        name: string;
        role: string;
        passwordStdin?: boolean;
      }) => {
        if (!isRole(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        const role = opts.role;
        const password = opts.passwordStdin ? (await readStdin()).trim() : randomPassword();
        await withServices(config, async (s) => {
          const id = await createUser(s.db, {
            schoolId: opts.school,
            email: opts.email,
            name: opts.name,
            role,
            password,
          });
          console.log(`Created ${role} ${opts.email}.`);
          if (!opts.passwordStdin) console.log(`Temporary password (shown once): ${password}`);
          console.log(id);
        });
      },
    );

  program
    .command('keys')
    .description('Manage encryption keys.')
    .command('rotate')
    .description('Re-wrap every school key under a new master key. Safe while the service runs.')
    .option('--new-key-file <path>', 'write the new master key here (env-configured installs)')
    .action(async (opts: { newKeyFile?: string }) => {
      await withServices(config, (s) => rotateMasterKey(s, opts.newKeyFile));
    });

  const audit = program.command('audit').description('Audit trail tools.');
  audit
    .command('verify')
    .description(
      'Recompute every school audit chain; exits non-zero naming the first broken entry.',
    )
    .option('--school <schoolId>', 'only this school')
    .option(
      '--anchors <dir>',
      'also check the signed chain heads in this folder (LANTERN_AUDIT_ANCHOR_DIR): finds a chain cut short or rewritten from the start',
    )
    .option(
      '--anchor-key <file>',
      "the anchors' public key (PEM); by default anchor-public-key.pem in the anchor folder",
    )
    .option(
      '--code <code>',
      "check an emailed anchor code read back (with --school): whether it matches the school's trail",
    )
    .action(
      async (opts: { school?: string; anchors?: string; anchorKey?: string; code?: string }) => {
        await withServices(config, async (s) => {
          if (opts.code !== undefined) {
            if (!opts.school) {
              console.error('Give the school the code belongs to with --school SCHOOL_ID.');
              process.exitCode = 1;
              return;
            }
            if (
              !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.school)
            ) {
              console.error(
                `${opts.school} is not a school id: give the school's id (the UUID that “school create” printed) with --school.`,
              );
              process.exitCode = 1;
              return;
            }
            try {
              const school = opts.school;
              const code = opts.code;
              // The chain up to the code's entry, recomputed first (as the owner), then the code.
              const chain = await anchorCodeChain(s.db, school, code);
              const c = await asSystem(s, school, 'operator').tx((t) =>
                checkAnchorCode(t, code, chain),
              );
              console.log(c.message);
              if (!c.matches) process.exitCode = 2;
            } catch (err) {
              if (!(err instanceof DomainError)) throw err;
              console.error(err.message);
              process.exitCode = 1;
            }
            return;
          }
          const r = await verifyAudit(s.db, opts.school);
          for (const b of r.breaks)
            console.error(`BROKEN school ${b.schoolId} entry ${b.seq}: ${b.problem}`);
          // Each school whose chain is broken gets a draft breach for its DPO (issue 17).
          const drafted = await runAuditCheck(
            s,
            s.clock.now(),
            [...new Set(r.breaks.map((b) => b.schoolId))],
            'operator',
          );
          if (drafted.length) console.log(`Opened ${drafted.length} draft breach(es) for the DPO.`);
          // The summary is the last line (scripts and the tests read it).
          console.log(
            `Checked ${r.entries} entries in ${r.chains} chains: ${r.breaks.length ? `${r.breaks.length} broken` : 'all intact'}.`,
          );
          if (r.breaks.length) process.exitCode = 2;
          if (opts.anchors) {
            const dir = path.resolve(opts.anchors);
            const keyFile = opts.anchorKey ?? path.join(dir, 'anchor-public-key.pem');
            let publicKey;
            try {
              publicKey = createPublicKey(readFileSync(keyFile));
            } catch (err) {
              console.error(
                `The anchors' public key ${keyFile} cannot be read (${(err as Error).message}). Give it with --anchor-key FILE.`,
              );
              process.exitCode = 1;
              return;
            }
            let a;
            try {
              a = await checkAnchors(s.db, dir, publicKey, opts.school);
            } catch (err) {
              console.error(`The anchor folder ${dir} cannot be read (${(err as Error).message}).`);
              process.exitCode = 1;
              return;
            }
            for (const p of a.problems)
              console.error(`ANCHOR ${p.schoolId ? `school ${p.schoolId} ` : ''}${p.problem}`);
            if (a.anchors === 0 && a.problems.length === 0) {
              console.error(
                `No anchors${opts.school ? ' for that school' : ''} in ${dir}: nothing outside the database to check the chains against.`,
              );
              process.exitCode = 2;
              return;
            }
            console.log(
              `Checked ${a.anchors} anchors: ${a.problems.length ? `${a.problems.length} problems` : 'every anchored entry is in place'}.`,
            );
            if (a.problems.length) process.exitCode = 2;
          }
        });
      },
    );

  audit
    .command('anchor')
    .description(
      "Sign every school's chain head now and append it to LANTERN_AUDIT_ANCHOR_DIR (the server also does this daily).",
    )
    .action(async () => {
      const { anchorDir: dir, anchorKeyFile } = config().audit;
      if (!dir) {
        console.error('Set LANTERN_AUDIT_ANCHOR_DIR to the folder the anchors are written to.');
        process.exitCode = 1;
        return;
      }
      await withServices(config, async (s) => {
        const written = await writeAnchors(
          s.db,
          dir,
          loadOrCreateAnchorKey(anchorKeyFile),
          new Date(),
        );
        console.log(`Anchored ${written.length} chains in ${dir}.`);
      });
    });
}

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return `${Buffer.from(bytes).toString('base64url')}!7`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
