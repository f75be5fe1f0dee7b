// Anchors outside the database (issue 20): the two attacks the chain alone cannot see — entries
// cut off its end with the head moved back, and the whole chain recomputed from the start with
// different contents — both done directly in the database, each passing `verifyAudit` and each
// caught by the anchors; an altered anchor line fails its signature; start-up refuses a folder it
// cannot write to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import type { Services } from '../services.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { makeSchool, makeUser, testConfig, testServices } from '../../test/harness.ts';
import { checkAnchors, loadOrCreateAnchorKey, writeAnchors } from './anchors.ts';
import { verifyAudit } from './verify.ts';
import { entryHash, GENESIS, type AuditRow } from './chain.ts';
import { startAuditAnchors } from '../../jobs/audit-anchors.ts';

let s: Services;
beforeAll(async () => {
  s = await testServices();
});
afterAll(async () => s.db.close());

const folder = () => mkdtempSync(path.join(tmpdir(), 'lantern-anchors-'));

async function schoolWithEntries(): Promise<string> {
  const schoolId = await makeSchool(s);
  for (let i = 0; i < 4; i++) await makeUser(s, schoolId, 'teacher');
  return schoolId;
}

const asOwner = (sql: string, params: unknown[]) =>
  unsafeAsOwner(s.db, (q) => q.query(sql, params));

describe('audit anchors', () => {
  it('catch a chain cut short and a chain rewritten from the start, which the chain alone passes', async () => {
    const cut = await schoolWithEntries();
    const rewritten = await schoolWithEntries();
    const dir = folder();
    const key = loadOrCreateAnchorKey(path.join(folder(), 'audit-anchor.key'));
    const written = await writeAnchors(s.db, dir, key, new Date());
    expect(written.map((a) => a.schoolId)).toEqual(expect.arrayContaining([cut, rewritten]));
    const publicKey = createPublicKey(readFileSync(path.join(dir, 'anchor-public-key.pem')));
    expect((await checkAnchors(s.db, dir, publicKey, cut)).problems).toEqual([]);

    // 1. Cut short: the last two entries deleted and the head moved back to the one before.
    const [head] = await asOwner('SELECT seq FROM audit_heads WHERE school_id = $1', [cut]);
    const last = Number((head as { seq: number }).seq);
    await asOwner('DELETE FROM audit_events WHERE school_id = $1 AND seq > $2', [cut, last - 2]);
    await asOwner(
      `UPDATE audit_heads SET seq = $2, hash = (SELECT hash FROM audit_events WHERE school_id = $1 AND seq = $2)
       WHERE school_id = $1`,
      [cut, last - 2],
    );
    expect((await verifyAudit(s.db, cut)).breaks).toEqual([]); // the chain alone cannot tell
    const afterCut = await checkAnchors(s.db, dir, publicKey, cut);
    expect(afterCut.problems).toHaveLength(1);
    expect(afterCut.problems[0]).toMatchObject({ schoolId: cut, seq: last });
    expect(afterCut.problems[0]?.problem).toMatch(/cut short/);

    // 2. Rewritten from the start: the first entry's label changed and every hash recomputed.
    const rows = await unsafeAsOwner(s.db, (q) =>
      q.query<AuditRow>('SELECT * FROM audit_events WHERE school_id = $1 ORDER BY seq', [
        rewritten,
      ]),
    );
    let prev: Buffer = Buffer.from(GENESIS);
    for (const row of rows) {
      const changed = { ...row, actor_label: row.seq === 1 ? 'somebody else' : row.actor_label };
      const hash = entryHash(prev, changed);
      await asOwner(
        'UPDATE audit_events SET actor_label = $3, prev_hash = $4, hash = $5 WHERE school_id = $1 AND seq = $2',
        [rewritten, row.seq, changed.actor_label, prev, hash],
      );
      prev = Buffer.from(hash);
    }
    await asOwner('UPDATE audit_heads SET hash = $2 WHERE school_id = $1', [rewritten, prev]);
    expect((await verifyAudit(s.db, rewritten)).breaks).toEqual([]);
    const afterRewrite = await checkAnchors(s.db, dir, publicKey, rewritten);
    expect(afterRewrite.problems).toHaveLength(1);
    expect(afterRewrite.problems[0]).toMatchObject({ schoolId: rewritten, seq: rows.length }); // the anchored head
    expect(afterRewrite.problems[0]?.problem).toMatch(/rewritten/);
  });

  it('refuse an altered anchor line, and an anchor signed with another key', async () => {
    const schoolId = await schoolWithEntries();
    const dir = folder();
    const key = loadOrCreateAnchorKey(path.join(folder(), 'k.key'));
    await writeAnchors(s.db, dir, key, new Date('2026-12-06T03:00:00Z'));
    const file = path.join(dir, 'anchors-2026-12-06.jsonl');
    const publicKey = createPublicKey(readFileSync(path.join(dir, 'anchor-public-key.pem')));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const mine = lines.findIndex((l) => l.includes(schoolId));
    const line = JSON.parse(lines[mine]!) as { seq: number };
    // The anchor moved back to hide later entries: its signature no longer matches.
    lines[mine] = JSON.stringify({ ...line, seq: line.seq - 1 });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const checked = await checkAnchors(s.db, dir, publicKey, schoolId);
    expect(checked.problems).toHaveLength(1);
    expect(checked.problems[0]?.problem).toMatch(/signature does not match/);
    const other = createPublicKey(loadOrCreateAnchorKey(path.join(folder(), 'other.key')));
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    expect((await checkAnchors(s.db, dir, other, schoolId)).problems).toHaveLength(1);
    expect((await checkAnchors(s.db, dir, publicKey, schoolId)).problems).toEqual([]);
  });

  it('are written only to a folder Lantern can write to: start-up says so otherwise', async () => {
    const notThere = path.join(folder(), 'missing');
    const services = {
      ...s,
      config: testConfig({
        audit: { anchorDir: notThere, anchorKeyFile: path.join(folder(), 'k') },
      }),
    };
    await expect(startAuditAnchors(services)).rejects.toThrow(
      /LANTERN_AUDIT_ANCHOR_DIR .*cannot be written to/,
    );
    const aFile = path.join(folder(), 'file');
    writeFileSync(aFile, 'x');
    const onFile = {
      ...s,
      config: testConfig({ audit: { anchorDir: aFile, anchorKeyFile: path.join(folder(), 'k') } }),
    };
    await expect(startAuditAnchors(onFile)).rejects.toThrow(/not a folder/);
    const ok = {
      ...s,
      config: testConfig({
        audit: { anchorDir: folder(), anchorKeyFile: path.join(folder(), 'k') },
      }),
    };
    const stop = await startAuditAnchors(ok, { firstMs: 10 });
    // The first run comes shortly after start, signed with the key made beside the master key.
    const dir = ok.config.audit.anchorDir!;
    await expect
      .poll(() => readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length, { timeout: 10_000 })
      .toBe(1);
    await stop();
    const publicKey = createPublicKey(readFileSync(path.join(dir, 'anchor-public-key.pem')));
    const check = await checkAnchors(s.db, dir, publicKey);
    expect(check.anchors).toBeGreaterThan(0);
    expect(check.problems.filter((p) => p.problem.includes('signature'))).toEqual([]);
  });
});
