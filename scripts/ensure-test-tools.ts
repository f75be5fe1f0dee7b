// Installs the system tools the test suite drives, when they are missing: Debian's Chromium
// (browser tests), oathtool (an independent TOTP implementation), pg_dump, and pgBackRest (the
// restore drill). Never downloads a browser from anywhere but Debian's packages.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const wanted: { bin: string; pkg: string }[] = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/oathtool', pkg: 'oathtool' },
  { bin: '/usr/bin/pg_dump', pkg: 'postgresql-client' },
  { bin: '/usr/bin/pgbackrest', pkg: 'pgbackrest' },
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
