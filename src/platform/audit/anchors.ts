// Anchors: each school's audit chain head, signed and written outside the database (issue 20).
//
// What it protects: the hash chain shows that no entry was altered, removed or moved *within* the
// chain, but someone with the database owner's rights could cut entries off its end (and move the
// head back), or recompute the whole chain from the start with different contents, and the chain
// alone would still verify. An anchor records (school, seq, hash) at a moment, signed with an
// Ed25519 key kept beside the master key (never in the database), in a folder the database's
// owner cannot rewrite. `lantern audit verify --anchors DIR` then finds either attack: an
// anchored entry that is gone (the chain was cut short) or whose hash differs (it was rewritten).
//
// Changing this safely: an anchor line's signed text is `lantern-audit-anchor/v1` and the fields
// in the fixed order of `signedText`; never change it for v1 (old anchors must keep verifying):
// add a v2. Files are only ever appended to (flag 'a'), one JSON line per school per run, and
// synced before the run counts as done.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  promises as fsp,
  constants as fsc,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';

export type Anchor = { schoolId: string; seq: number; hash: string; at: string };
type AnchorLine = Anchor & { v: 1; sig: string };

const signedText = (a: Anchor) =>
  `lantern-audit-anchor/v1\n${a.schoolId}\n${a.seq}\n${a.hash}\n${a.at}`;

/** The signing key, made on first use beside the master key (PKCS#8 PEM, readable by its owner only). */
export function loadOrCreateAnchorKey(file: string): KeyObject {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
  }
  return createPrivateKey(readFileSync(file));
}

/** The public half, as PEM: what an auditor needs to check the anchors without the private key. */
export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** Refuses, in words an operator can act on, an anchor folder Lantern cannot write to. */
export async function checkAnchorDir(dir: string): Promise<void> {
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw new Error('not a folder');
    await fsp.access(dir, fsc.W_OK);
  } catch (err) {
    throw new Error(
      `The audit anchor folder ${dir} (LANTERN_AUDIT_ANCHOR_DIR) cannot be written to: ${(err as Error).message}. ` +
        'Create it, give Lantern write access, or unset the setting.',
      { cause: err },
    );
  }
}

/**
 * Appends every school's current chain head, signed, to today's file in `dir`, and writes the
 * public key beside them the first time. Returns the anchors written.
 */
export async function writeAnchors(
  db: Database,
  dir: string,
  key: KeyObject,
  now: Date,
): Promise<Anchor[]> {
  await checkAnchorDir(dir);
  const heads = await unsafeAsOwner(db, (tx) =>
    tx.query<{ school_id: string; seq: number; hash: Buffer }>(
      'SELECT school_id, seq, hash FROM audit_heads ORDER BY school_id',
    ),
  );
  const at = now.toISOString();
  const anchors = heads.map((h) => ({
    schoolId: h.school_id,
    seq: Number(h.seq),
    hash: Buffer.from(h.hash).toString('hex'),
    at,
  }));
  const lines = anchors
    .map((a) => {
      const line: AnchorLine = {
        v: 1,
        ...a,
        sig: sign(null, Buffer.from(signedText(a)), key).toString('base64'),
      };
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
  const pub = path.join(dir, 'anchor-public-key.pem');
  if (!existsSync(pub)) await fsp.writeFile(pub, publicKeyPem(key), { flag: 'wx', mode: 0o644 });
  const file = await fsp.open(path.join(dir, `anchors-${at.slice(0, 10)}.jsonl`), 'a', 0o644);
  try {
    await file.appendFile(lines);
    await file.sync();
  } finally {
    await file.close();
  }
  return anchors;
}

export type AnchorProblem = { schoolId: string | null; seq: number | null; problem: string };
export type AnchorCheck = { anchors: number; problems: AnchorProblem[] };

function parseLine(text: string): AnchorLine | null {
  try {
    const v = JSON.parse(text) as Partial<AnchorLine>;
    if (
      v.v === 1 &&
      typeof v.schoolId === 'string' &&
      typeof v.seq === 'number' &&
      typeof v.hash === 'string' &&
      typeof v.at === 'string' &&
      typeof v.sig === 'string'
    )
      return v as AnchorLine;
  } catch {
    // reported below
  }
  return null;
}

/**
 * Checks every anchor in `dir` against the database: each line's signature under `publicKey`,
 * then that the anchored entry is still there with the same hash. Reads as the owner.
 */
export async function checkAnchors(
  db: Database,
  dir: string,
  publicKey: KeyObject,
  onlySchool?: string,
): Promise<AnchorCheck> {
  const files = (await fsp.readdir(dir))
    .filter((f) => /^anchors-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))
    .sort();
  const result: AnchorCheck = { anchors: 0, problems: [] };
  const wanted: AnchorLine[] = [];
  for (const f of files) {
    const lines = (await fsp.readFile(path.join(dir, f), 'utf8'))
      .split('\n')
      .filter((l) => l.trim());
    lines.forEach((text, i) => {
      const line = parseLine(text);
      if (!line) {
        result.problems.push({
          schoolId: null,
          seq: null,
          problem: `${f} line ${i + 1} is not an anchor`,
        });
        return;
      }
      if (onlySchool && line.schoolId !== onlySchool) return;
      const { sig, v: _v, ...anchor } = line;
      if (!verify(null, Buffer.from(signedText(anchor)), publicKey, Buffer.from(sig, 'base64'))) {
        result.problems.push({
          schoolId: line.schoolId,
          seq: line.seq,
          problem: `${f} line ${i + 1}: its signature does not match (the anchor was altered or not made with this key)`,
        });
        return;
      }
      wanted.push(line);
    });
  }
  result.anchors = wanted.length;
  await unsafeAsOwner(db, async (tx) => {
    for (const a of wanted) {
      await tx.query(`SELECT set_config('lantern.school_id', $1, true)`, [a.schoolId]);
      const [row] = await tx.query<{ hash: Buffer }>(
        'SELECT hash FROM audit_events WHERE school_id = $1 AND seq = $2',
        [a.schoolId, a.seq],
      );
      const when = a.at.slice(0, 10);
      if (!row)
        result.problems.push({
          schoolId: a.schoolId,
          seq: a.seq,
          problem: `entry ${a.seq}, anchored on ${when}, is gone: the chain was cut short after it was anchored`,
        });
      else if (Buffer.from(row.hash).toString('hex') !== a.hash)
        result.problems.push({
          schoolId: a.schoolId,
          seq: a.seq,
          problem: `entry ${a.seq} differs from its anchor of ${when}: the chain was rewritten`,
        });
    }
  });
  return result;
}
