// Installs the system tools the test suite drives, when they are missing: Debian's Chromium
// (browser tests) and oathtool (an independent TOTP implementation). Never downloads a browser
// from anywhere but Debian's packages.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const wanted: { bin: string; pkg: string }[] = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/oathtool', pkg: 'oathtool' },
  { bin: '/usr/bin/pg_dump', pkg: 'postgresql-client' },
  // pg_auto_failover (issue 16, the standby that takes over): its command, and its extension for
  // PostgreSQL 15 (the monitor's and the nodes' servers).
  { bin: '/usr/bin/pg_autoctl', pkg: 'pg-auto-failover-cli' },
  {
    bin: '/usr/lib/postgresql/15/lib/pgautofailover.so',
    pkg: 'postgresql-15-auto-failover',
  },
];
const missing = wanted.filter((w) => !existsSync(w.bin)).map((w) => w.pkg);
if (missing.length > 0) {
  console.log(`Installing test tools from Debian packages: ${missing.join(', ')}`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd!, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
}
