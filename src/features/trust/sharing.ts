// A school's switch for sharing its figures with its trust (issue 20): its administrators turn it
// on and off (the `admin` ability, elevated), each change audited in the school's chain. While
// the switch is on, the school's figures snapshot (figures.ts) is readable by its trust; turning
// it off removes the trust_sharing row, and the snapshot policy then hides the figures at once.
// Switching on computes the first snapshot in the same transaction.
import type { Tx } from '../../core/context.ts';
import { can } from '../../core/access/actor.ts';
import { conflict } from '../../core/errors.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import type { TrustSharing } from '../../shared/schemas/trust.ts';
import { computeSnapshot } from './figures.ts';

export async function readSharing(t: Tx): Promise<TrustSharing> {
  const [row] = await t.q<{ trust: string | null; since: Date | null }>(
    `SELECT tr.name AS trust, sh.since FROM schools s
     LEFT JOIN trusts tr ON tr.id = s.trust_id
     LEFT JOIN trust_sharing sh ON sh.school_id = s.id
     WHERE s.id = $1`,
    [t.schoolId],
  );
  return {
    trust: row?.trust ?? null,
    sharing: row?.since != null,
    since: row?.since ? row.since.toISOString() : null,
    allowed: { change: can(t.actor, 'admin') && row?.trust != null },
  };
}

export async function setSharing(t: Tx, sharing: boolean): Promise<TrustSharing> {
  requireAbility(t.actor, 'admin');
  const now = await readSharing(t);
  if (!now.trust) throw conflict('This school does not belong to a trust.');
  if (now.sharing !== sharing) {
    if (sharing) {
      await t.q(
        `INSERT INTO trust_sharing (school_id, trust_id, since, switched_on_by)
         SELECT id, trust_id, $2, $3 FROM schools WHERE id = $1
         ON CONFLICT (school_id) DO NOTHING`, // two administrators at once: one row, no error
        [t.schoolId, t.now, t.actor.userId],
      );
    } else {
      await t.q('DELETE FROM trust_sharing WHERE school_id = $1', [t.schoolId]);
    }
    await t.audit({
      action: 'trust.sharing_changed',
      targetType: 'school',
      targetId: t.schoolId,
      details: { sharing },
    });
    if (sharing) await computeSnapshot(t);
  }
  return readSharing(t);
}
