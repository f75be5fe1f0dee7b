// Reading rights requests (issue 17): one SELECT for the register and a request, the facts the
// policy and the clock need (the child's age, a restricted requester), and the school's "today".
import type { SchoolTx } from '../../../core/context.ts';
import { loadSchoolCalendar } from '../../../core/calendar.ts';
import type { WorkingCalendar } from '../../../shared/calendar.ts';
import type {
  Relationship,
  RequestKind,
  RequestStatus,
} from '../../../shared/schemas/data-protection.ts';
import { requestClock, type Clock, type ClockFacts } from './clock.ts';
import type { RequestFacts } from '../policy.ts';

/** The calendar date in England now: statutory clocks count English days. */
export function todayInEngland(now: Date): string {
  return now.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
}

export type RequestRow = {
  id: string;
  kind: RequestKind;
  requester: Buffer;
  requester_contact_id: string | null;
  relationship: Relationship;
  parental_responsibility: Buffer | null;
  channel: string;
  received_on: string;
  identity_verified_on: string | null;
  clarification_asked_on: string | null;
  clarification_received_on: string | null;
  due_on: string | null;
  extended_to: string | null;
  extension_reason: Buffer | null;
  extension_notice: Buffer | null;
  extended_at: Date | null;
  extended_by_name: string | null;
  competence: Buffer | null;
  child_views: Buffer | null;
  child_voice_at: Date | null;
  child_voice_by_name: string | null;
  dsl_reviewed_at: Date | null;
  dsl_reviewed_by_name: string | null;
  status: RequestStatus;
  outcome: Buffer | null;
  closed_on: string | null;
  subjects: { id: string; name: string; born: string | null }[];
  restricted_requester: boolean;
  disclosed: boolean;
};

export const REQUEST_SELECT = `
  SELECT r.id, r.kind, r.requester, r.requester_contact_id, r.relationship,
    r.parental_responsibility, r.channel, r.received_on::text AS received_on,
    r.identity_verified_on::text AS identity_verified_on,
    r.clarification_asked_on::text AS clarification_asked_on,
    r.clarification_received_on::text AS clarification_received_on, r.due_on::text AS due_on,
    r.extended_to::text AS extended_to, r.extension_reason, r.extension_notice, r.extended_at,
    eb.name AS extended_by_name, r.competence, r.child_views, r.child_voice_at,
    vb.name AS child_voice_by_name, r.dsl_reviewed_at, db.name AS dsl_reviewed_by_name,
    r.status, r.outcome, r.closed_on::text AS closed_on,
    COALESCE((SELECT json_agg(json_build_object('id', p.id,
                'name', p.first_name || ' ' || p.last_name, 'born', p.date_of_birth::text)
              ORDER BY p.last_name, p.first_name)
       FROM dp_request_subjects s JOIN pupils p ON p.id = s.pupil_id
       WHERE s.request_id = r.id), '[]'::json) AS subjects,
    EXISTS (SELECT 1 FROM contact_restrictions cr JOIN dp_request_subjects s
              ON s.request_id = r.id AND s.pupil_id = cr.pupil_id
            WHERE cr.contact_id = r.requester_contact_id AND cr.removed_at IS NULL
              AND (cr.starts_on IS NULL OR cr.starts_on <= $1::date)
              AND (cr.ends_on IS NULL OR cr.ends_on >= $1::date)) AS restricted_requester,
    EXISTS (SELECT 1 FROM dp_disclosures d WHERE d.request_id = r.id) AS disclosed
  FROM dp_requests r
  LEFT JOIN users eb ON eb.id = r.extended_by
  LEFT JOIN users vb ON vb.id = r.child_voice_by
  LEFT JOIN users db ON db.id = r.dsl_reviewed_by`;

export function clockFacts(r: RequestRow): ClockFacts {
  return {
    kind: r.kind,
    receivedOn: r.received_on,
    identityVerifiedOn: r.identity_verified_on,
    clarificationAskedOn: r.clarification_asked_on,
    clarificationReceivedOn: r.clarification_received_on,
  };
}

/** Whole years from a date of birth to a day. */
export function ageOn(born: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(born.slice(0, 4));
  return day.slice(5) < born.slice(5) ? years - 1 : years;
}

/**
 * Anyone but the child asks about a child of 12 or over (an unknown birth date counts as 12):
 * a representative or other third party reaches the child's data as surely as a parent does.
 */
export function childVoiceNeeded(r: RequestRow, today: string): boolean {
  if (r.relationship === 'self') return false;
  return r.subjects.some((s) => s.born === null || ageOn(s.born, today) >= 12);
}

export function factsOf(r: RequestRow, clock: Clock, today: string): RequestFacts {
  return {
    kind: r.kind,
    status: r.status,
    clock: clock.state,
    dueOn: clock.dueOn,
    extended: r.extended_to !== null,
    childVoiceNeeded: childVoiceNeeded(r, today),
    childVoiceRecorded: r.child_voice_at !== null,
    restrictedRequester: r.restricted_requester,
    dslReviewed: r.dsl_reviewed_at !== null,
    disclosed: r.disclosed,
  };
}

export async function loadRequest(
  t: SchoolTx,
  id: string,
  today: string,
  lock = false,
): Promise<RequestRow | undefined> {
  const [row] = await t.q<RequestRow>(
    `${REQUEST_SELECT} WHERE r.id = $2${lock ? ' FOR UPDATE OF r' : ''}`,
    [today, id],
  );
  return row;
}

export const calendarOf = (t: SchoolTx): Promise<WorkingCalendar> =>
  loadSchoolCalendar(t.db, t.schoolId);

/** The clock for a stored request. */
export const clockOf = (r: RequestRow, cal: WorkingCalendar): Clock =>
  requestClock(clockFacts(r), cal);
