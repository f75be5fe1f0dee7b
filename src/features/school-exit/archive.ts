// The container a leaving school's data is handed back in (issue 15): a 7-Zip archive, AES-256 with
// its headers encrypted (-mhe=on, so not even the file names show without the password), which
// the free 7-Zip opens on Windows and `7zz`/`7z` on Linux and macOS. What this protects: the
// password never appears on a command line (another user could read it in `ps`) — 7-Zip reads it
// from its standard input — and is never stored or logged: it is returned once to be shown once.
// The archive is written beside its destination under a temporary name and renamed only when
// 7-Zip has finished, so a half-written file is never taken for a whole one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';

/** Lower case letters and digits a person will not misread (no i, l, o, 0, 1). */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** Capitals and digits, for the code a school types back (no I, O, 0, 1). */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function groups(alphabet: string, count: number, size: number): string {
  return Array.from({ length: count }, () =>
    Array.from({ length: size }, () => alphabet[randomInt(alphabet.length)]).join(''),
  ).join('-');
}

/** Eight groups of five (about 198 bits): long, and typeable from a sheet of paper. */
export const newArchivePassword = (): string => groups(PASSWORD_ALPHABET, 8, 5);

/** Four groups of four (80 bits): written only inside the archive, typed back to confirm. */
export const newConfirmationCode = (): string => groups(CODE_ALPHABET, 4, 4);

/** The code as typed (any case, spaces or dashes) in its canonical form, or null. */
export function canonicalCode(typed: string): string | null {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z2-9]{16}$/.test(bare)) return null;
  return bare.match(/.{4}/g)!.join('-');
}

/** 7-Zip's command-line program: Debian's `7zip` package installs 7zz; others name it 7z. */
export function sevenZip(): string {
  for (const bin of ['/usr/bin/7zz', '/usr/local/bin/7zz', '/usr/bin/7z', '/usr/local/bin/7z']) {
    if (existsSync(bin)) return bin;
  }
  throw new Error(
    '7-Zip is not installed: install it (Debian: apt-get install 7zip) and run the export again.',
  );
}

/** 7-Zip processes running now, so a signal to this process can stop them (stopArchiving). */
const running = new Set<ChildProcess>();

/** Stops every 7-Zip this process started that is still running (on SIGINT/SIGTERM). */
export function stopArchiving(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The temporary name the archive is written under until it is whole. */
export const partialOf = (out: string): string => `${out}.partial-${process.pid}.7z`;

/** Runs 7-Zip with the password on its standard input; rejects with its last words on failure. */
export function run7z(args: string[], password: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(sevenZip(), args, { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stderr = '';
    child.stderr
      .setEncoding('utf8')
      .on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`7-Zip stopped (exit ${code}): ${stderr.trim().split('\n').pop()}`));
    });
    // Asked twice when creating (enter, then verify); the second line is unused otherwise.
    child.stdin.end(`${password}\n${password}\n`);
  });
}

/**
 * Packs everything in `dir` into `out` (which must not exist) under `password`; answers the
 * archive's size. The temporary file is removed on any failure.
 */
export async function writeArchive(dir: string, out: string, password: string): Promise<number> {
  const partial = partialOf(out);
  try {
    // -mx=1: attachments are mostly compressed already, so a fast level costs little in size.
    await run7z(
      ['a', '-t7z', '-mhe=on', '-mx=1', '-p', '-bso0', '-bsp0', '-y', partial, '.'],
      password,
      dir,
    );
    await rename(partial, out);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return (await stat(out)).size;
}
