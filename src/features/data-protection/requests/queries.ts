// The register of rights requests as the DPO reads it (issue 17): each read audited in the same
// transaction (every view of the register is an event), sealed text opened only here.
import type { Tx } from '../../../core/context.ts';
import { notFound } from '../../../core/errors.ts';
import type { Sealer } from '../../../platform/crypto/school-keys.ts';
import type { WorkingCalendar } from '../../../shared/calendar.ts';
import type { RequestDetail, RequestSummary } from '../../../shared/schemas/data-protection.ts';
import { isDslTeamMember } from '../dsl-team.ts';
import { requestActions } from '../policy.ts';
import {
  calendarOf,
  childVoiceNeeded,
  clockOf,
  factsOf,
  loadRequest,
  REQUEST_SELECT,
  todayInEngland,
  type RequestRow,
} from './load.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function summary(
  r: RequestRow,
  sealer: Sealer,
  cal: WorkingCalendar,
  today: string,
): RequestSummary {
  const clock = clockOf(r, cal);
  const dueOn = r.extended_to ?? clock.dueOn;
  return {
    id: r.id,
    kind: r.kind,
    requester: sealer.open('dp_requests.requester', r.id, r.requester),
    subjects: r.subjects.map((s) => ({ id: s.id, name: s.name })),
    receivedOn: r.received_on,
    clock: clock.state,
    dueOn,
    overdue: r.status === 'open' && dueOn !== null && dueOn < today,
    status: r.status,
  };
}

export async function listRequests(t: Tx, closed: boolean): Promise<RequestSummary[]> {
  const today = todayInEngland(t.now);
  const rows = await t.q<RequestRow>(
    `${REQUEST_SELECT} WHERE (r.status = 'open') <> $2
     ORDER BY r.due_on NULLS FIRST, r.received_on, r.id`,
    [today, closed],
  );
  const [sealer, cal] = [await t.sealer(), await calendarOf(t)];
  await t.audit({ action: 'dp.requests_viewed', details: { count: rows.length, closed } });
  return rows.map((r) => summary(r, sealer, cal, today));
}

export async function getRequest(t: Tx, id: string): Promise<RequestDetail> {
  const today = todayInEngland(t.now);
  const r = await loadRequest(t, id, today);
  if (!r) throw notFound('That request');
  const [sealer, cal] = [await t.sealer(), await calendarOf(t)];
  const clock = clockOf(r, cal);
  const open = (
    c: 'dp_requests.parental_responsibility' | 'dp_requests.outcome',
    v: Buffer | null,
  ) => (v === null ? null : sealer.open(c, r.id, v));
  await t.audit({ action: 'dp.request_viewed', targetType: 'dp_request', targetId: id });
  const dsl = await isDslTeamMember(t.db, t.actor.userId);
  return {
    ...summary(r, sealer, cal, today),
    requesterContactId: r.requester_contact_id,
    relationship: r.relationship,
    parentalResponsibility: open('dp_requests.parental_responsibility', r.parental_responsibility),
    channel: r.channel as RequestDetail['channel'],
    identityVerifiedOn: r.identity_verified_on,
    clarificationAskedOn: r.clarification_asked_on,
    clarificationReceivedOn: r.clarification_received_on,
    originalDueOn: clock.dueOn,
    extension:
      r.extended_to === null || r.extended_at === null
        ? null
        : {
            to: r.extended_to,
            reason: sealer.open('dp_requests.extension_reason', r.id, r.extension_reason!),
            notice: sealer.open('dp_requests.extension_notice', r.id, r.extension_notice!),
            at: r.extended_at.toISOString(),
            by: r.extended_by_name ?? 'Unknown',
          },
    childVoice:
      r.child_voice_at === null
        ? null
        : {
            competence: sealer.open('dp_requests.competence', r.id, r.competence!),
            views: sealer.open('dp_requests.child_views', r.id, r.child_views!),
            at: r.child_voice_at.toISOString(),
            by: r.child_voice_by_name ?? 'Unknown',
          },
    childVoiceNeeded: childVoiceNeeded(r, today),
    restrictedRequester: r.restricted_requester,
    dslReview:
      r.dsl_reviewed_at === null
        ? null
        : { at: iso(r.dsl_reviewed_at)!, by: r.dsl_reviewed_by_name ?? 'Unknown' },
    outcome: open('dp_requests.outcome', r.outcome),
    closedOn: r.closed_on,
    allowed: requestActions(t.actor, dsl, factsOf(r, clock, today), today),
  };
}
