// What an alert about a concern shows in the app (issue 14): the pupils as the viewer may see
// them, the categories, who logged it and when, and (for the DSL team) its triage state — so a
// DSL can triage from the list. Only for a viewer who may read the concern now (the concern's own
// policy, canRead); anyone else still reads only that there is something to look at. Emails are
// untouched: they never carry any of this. Showing pupils' names is a read of the concerns, so it
// is audited as a list of them ('concern.listed', folded into the dashboard's own entry there).
import type { Tx } from '../../core/context.ts';
import type { AlertView } from '../../shared/schemas/alerts.ts';
import { triageLabel } from '../../shared/triage.ts';
import { allowedActions, canRead, pupilAsSeen } from '../concerns/policy.ts';
import { metaOf, SELECT_VIEW, type ConcernRow } from '../concerns/read.ts';
import { withSignalsNamed } from '../audit-trail/unusual-routes-service.ts';

export async function withWhatTheyAreAbout(t: Tx, given: AlertView[]): Promise<AlertView[]> {
  // Issue 20: an unusual-access signal's alert names whom the signal is about.
  const alerts = await withSignalsNamed(t, given);
  const ids = [...new Set(alerts.filter((a) => a.targetType === 'concern').map((a) => a.targetId))];
  if (ids.length === 0) return alerts;
  const rows = (await t.q<ConcernRow>(`${SELECT_VIEW} WHERE c.id = ANY($1::uuid[])`, [ids])).filter(
    (r) => canRead(t.actor, metaOf(r)),
  );
  if (rows.length > 0) {
    await t.audit({
      action: 'concern.listed',
      targetType: 'concern',
      details: { concerns: rows.map((r) => r.id) },
    });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return alerts.map((a) => {
    const r = a.targetType === 'concern' ? byId.get(a.targetId) : undefined;
    if (!r) return { ...a, about: null };
    const triage = r.triage ?? { state: 'new' as const, risk: null };
    return {
      ...a,
      about: {
        pupils: r.pupils.map((p) => pupilAsSeen(t.actor, p, { knownTo: [r.author_id] })),
        categories: r.categories.map((k) => k.name),
        author: r.author_name,
        happenedAt: r.happened_at.toISOString(),
        recordedAt: r.recorded_at.toISOString(),
        triage: allowedActions(t.actor, metaOf(r)).includes('triage')
          ? triageLabel(triage.state, triage.risk)
          : null,
      },
    };
  });
}
