// A parent's recovery codes (issue 21): the way back in when a parent loses their authenticator
// app or passkey, so they need not wait for the school to reset it. Reuses the staff codes
// (identity/recovery-codes.ts: ten 60-bit codes, keyed HMAC at rest, compared in constant time)
// and the staff key (identity/second-factor.ts recoveryKey: derived from the school's search
// key, never in the database). Protects the parent's second step: a code works once (marked
// used in the transaction that accepts it), the codes are returned to the caller once and never
// stored in the clear. To change safely: keep `spend` and the sign-in it allows in one
// transaction, and audit every set made.
import type { SchoolTx } from '../../core/context.ts';
import { generateRecoveryCodes, verifyRecoveryCode } from '../identity/recovery-codes.ts';
import { recoveryKey } from '../identity/second-factor.ts';

type T = Pick<SchoolTx, 'q' | 'sealer' | 'audit' | 'now' | 'schoolId'>;

/** How many unused codes the parent has. */
export async function parentRecoveryCodesLeft(t: Pick<SchoolTx, 'q'>, parentId: string) {
  const [r] = await t.q<{ n: number }>(
    'SELECT count(*)::int AS n FROM parent_recovery_codes WHERE parent_id = $1 AND used_at IS NULL',
    [parentId],
  );
  return r?.n ?? 0;
}

/** Replaces the parent's codes with ten new ones (audited); the codes are returned once. */
export async function newParentRecoveryCodes(
  t: T,
  parentId: string,
  why: 'first_factor' | 'regenerated',
): Promise<string[]> {
  const set = generateRecoveryCodes(recoveryKey(await t.sealer()));
  await t.q('DELETE FROM parent_recovery_codes WHERE parent_id = $1', [parentId]);
  for (const hash of set.hashes) {
    await t.q(
      `INSERT INTO parent_recovery_codes (school_id, parent_id, code_hash, created_at)
       VALUES ($1, $2, $3, $4)`,
      [t.schoolId, parentId, hash, t.now],
    );
  }
  await t.audit({
    action: 'parent.recovery_codes_created',
    targetType: 'parent',
    targetId: parentId,
    details: { why },
  });
  return set.codes;
}

/** After a parent's first factor is confirmed: ten codes when they have none left, else null. */
export async function codesForNewFactor(t: T, parentId: string): Promise<string[] | null> {
  if ((await parentRecoveryCodesLeft(t, parentId)) > 0) return null;
  return newParentRecoveryCodes(t, parentId, 'first_factor');
}

/** Spends one of the parent's codes; false when the code matches no unused one. */
export async function spendParentRecoveryCode(
  t: T,
  parentId: string,
  code: string,
): Promise<boolean> {
  const rows = await t.q<{ id: string; code_hash: string }>(
    `SELECT id, code_hash FROM parent_recovery_codes WHERE parent_id = $1 AND used_at IS NULL
     ORDER BY id FOR UPDATE`,
    [parentId],
  );
  const index = verifyRecoveryCode(
    code,
    rows.map((r) => r.code_hash),
    recoveryKey(await t.sealer()),
  );
  if (index === null) return false;
  const spent = await t.q(
    'UPDATE parent_recovery_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id',
    [rows[index]!.id, t.now],
  );
  return spent.length === 1;
}
