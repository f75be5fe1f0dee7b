// Recomputes every school's chain. Detects an altered entry (its hash no longer matches), a
// deleted entry (a gap in sequence numbers, or the head pointing past the last entry) and
// reordered entries (a previous-hash link that does not match). Runs as the owner.
import type { Database } from '../db/engine.ts';
import { unsafeAsOwner } from '../db/tenancy.ts';
import { entryHash, GENESIS, type AuditRow } from './chain.ts';

export type ChainBreak = { schoolId: string; seq: number; problem: string };
export type VerifyResult = { chains: number; entries: number; breaks: ChainBreak[] };

const PAGE = 5000;

/**
 * With `uptoSeq` (and `onlySchool`), recomputes that school's chain from its first entry to that
 * one only (an anchor code's check): entries after it are not read, and the head is not compared.
 */
export async function verifyAudit(
  db: Database,
  onlySchool?: string,
  uptoSeq?: number,
): Promise<VerifyResult> {
  return unsafeAsOwner(db, async (tx) => {
    const heads = await tx.query<{ school_id: string; seq: number; hash: Buffer }>(
      `SELECT school_id, seq, hash FROM audit_heads ${onlySchool ? 'WHERE school_id = $1' : ''}
       ORDER BY school_id`,
      onlySchool ? [onlySchool] : [],
    );
    const result: VerifyResult = { chains: heads.length, entries: 0, breaks: [] };
    for (const head of heads) {
      let prev = GENESIS;
      let expected = 1;
      let lastSeq = 0;
      let broken = false;
      for (let after = 0; !broken;) {
        const rows = await tx.query<AuditRow>(
          `SELECT * FROM audit_events WHERE school_id = $1 AND seq > $2 AND seq <= $3
           ORDER BY seq LIMIT ${PAGE}`,
          [head.school_id, after, uptoSeq ?? Number.MAX_SAFE_INTEGER],
        );
        for (const row of rows) {
          result.entries++;
          const problem =
            row.seq !== expected
              ? `entry ${expected} is missing (next entry is ${row.seq})`
              : !Buffer.from(row.prev_hash).equals(prev)
                ? 'its link to the previous entry does not match (entries reordered or replaced)'
                : !entryHash(prev, row).equals(Buffer.from(row.hash))
                  ? 'its contents do not match its hash (entry altered)'
                  : null;
          if (problem) {
            result.breaks.push({ schoolId: head.school_id, seq: expected, problem });
            broken = true;
            break;
          }
          prev = Buffer.from(row.hash);
          lastSeq = row.seq;
          expected++;
        }
        if (rows.length < PAGE) break;
        after = lastSeq;
      }
      if (uptoSeq !== undefined) {
        if (!broken && lastSeq !== Math.min(uptoSeq, head.seq))
          result.breaks.push({
            schoolId: head.school_id,
            seq: lastSeq + 1,
            problem: `entry ${lastSeq + 1} is missing (the trail ends at ${lastSeq})`,
          });
        continue;
      }
      if (!broken && (head.seq !== lastSeq || !Buffer.from(head.hash).equals(prev))) {
        result.breaks.push({
          schoolId: head.school_id,
          seq: lastSeq + 1,
          problem: `the chain head says ${head.seq} entries but ${lastSeq} remain (entries deleted from the end)`,
        });
      }
    }
    return result;
  });
}
