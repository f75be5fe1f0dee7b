// Bytes of JavaScript each first page loads (issue 14), from the build's manifest: the entry and
// everything it imports statically, plus the page's own chunk and its static imports (what the
// browser fetches before the page shows). Printed raw, gzip and Brotli (the .gz/.br copies the
// server sends). Run after `npm run build`: node scripts/js-per-page.ts
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '../dist/web');
type Chunk = { file: string; name?: string; imports?: string[] };
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<
  string,
  Chunk
>;

function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

const size = (file: string): number => {
  try {
    return statSync(path.join(dist, file)).size;
  } catch {
    return 0;
  }
};

const PAGES: Record<string, string[]> = {
  'Sign-in': [],
  Dashboard: ['src/features/dashboard/Dashboard.tsx'],
  'Log a concern': ['src/features/concerns/LogConcern.tsx'],
  'Set password (before typing)': ['src/features/identity/SetPassword.tsx'],
};

for (const [page, chunks] of Object.entries(PAGES)) {
  const keys = new Set(closure('index.html'));
  for (const c of chunks) closure(c, keys);
  const files = [...keys]
    .map((k) => manifest[k]?.file)
    .filter((f): f is string => f?.endsWith('.js') === true);
  const sum = (suffix: string) => files.reduce((n, f) => n + size(f + suffix), 0);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `${page.padEnd(30)} ${String(files.length).padStart(3)} files  raw ${kb(sum('')).padStart(9)}  gzip ${kb(sum('.gz')).padStart(9)}  brotli ${kb(sum('.br')).padStart(9)}`,
  );
}
const dict = Object.values(manifest).find((m) => m.name === 'password-strength');
if (dict) {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `${'Password dictionaries (on use)'.padEnd(30)}   1 file   raw ${kb(size(dict.file)).padStart(9)}  gzip ${kb(size(dict.file + '.gz')).padStart(9)}  brotli ${kb(size(dict.file + '.br')).padStart(9)}`,
  );
}
