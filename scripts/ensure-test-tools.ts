// Installs the system tools the test suite drives, when they are missing: Debian's Chromium
// (browser tests), oathtool (an independent TOTP implementation), pg_dump, pgBackRest (the
// restore drill), 7-Zip (a school's exit archive), and pg_auto_failover's keeper and PostgreSQL extension (the failover test). Never downloads a browser from anywhere but Debian's packages.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const wanted: { bin: string; pkg: string }[] = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/oathtool', pkg: 'oathtool' },
  { bin: '/usr/bin/pg_dump', pkg: 'postgresql-client' },
  { bin: '/usr/bin/pgbackrest', pkg: 'pgbackrest' },
  // 7-Zip (Debian's 7zip package installs 7zz): a school's exit archive is opened with it (issue 15).
  { bin: '/usr/bin/7zz', pkg: '7zip' },
];
// Best-effort: a release without PostgreSQL 15's packages must not stop the run; the failover
// test then skips, naming what is missing.
const optional: { bin: string; pkg: string }[] = [
  { bin: '/usr/bin/pg_autoctl', pkg: 'pg-auto-failover-cli' },
  { bin: '/usr/lib/postgresql/15/lib/pgautofailover.so', pkg: 'postgresql-15-auto-failover' },
];
const absent = (list: typeof wanted) => list.filter((w) => !existsSync(w.bin)).map((w) => w.pkg);
const missing = absent(wanted);
const missingOptional = absent(optional);
if (missing.length > 0 || missingOptional.length > 0) {
  console.log(
    `Installing test tools from Debian packages: ${[...missing, ...missingOptional].join(', ')}`,
  );
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd!, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  run(['apt-get', 'update', '-qq']);
  const install = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends'];
  if (missing.length > 0) run([...install, ...missing]);
  if (missingOptional.length > 0) {
    try {
      run([...install, ...missingOptional]);
    } catch {
      console.log(
        `pg_auto_failover not installed (${missingOptional.join(', ')}): the failover test will skip`,
      );
    }
  }
}
