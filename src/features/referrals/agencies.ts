// The school's referral agencies, as its administrators keep them (issue 4: "children's social
// care, early help, CAMHS/NHS, police, LADO, school nurse, others the school adds", each with an
// expected response time). A new school starts with seed.ts. An agency is never
// deleted, only archived: archived ones are not offered for new referrals, and every referral
// keeps its agency and the response time copied when it was made, so a later change here never
// rewrites history. Names are unique in a school whatever their case, archived ones included.
import type { Tx } from '../../core/context.ts';
import { referralTouchesGranted } from './policy.ts';
import { badRequest, conflict, notFound } from '../../core/errors.ts';
import type { AdminAgency, AgencyChange, NewAgency } from '../../shared/schemas/referrals.ts';
import { MAX_RESPONSE_HOURS } from '../../shared/limits.ts';

type AgencyRow = {
  id: string;
  name: string;
  expected_response_hours: number | null;
  archived_at: Date | null;
  referrals: number;
};

function cleanName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw badRequest('Give the agency a name.', 'invalid_agency');
  if (n.length > 100)
    throw badRequest('The agency name must be 100 characters or fewer.', 'invalid_agency');
  return n;
}

function cleanHours(hours: number | null): number | null {
  if (hours === null) return null;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_RESPONSE_HOURS)
    throw badRequest(
      `The expected response time must be a whole number of hours from 1 to ${MAX_RESPONSE_HOURS}, or none.`,
      'invalid_agency',
    );
  return hours;
}

async function refuseDuplicate(t: Tx, name: string, except: string | null): Promise<void> {
  const [clash] = await t.q<{ archived: boolean }>(
    `SELECT archived_at IS NOT NULL AS archived FROM referral_agencies
     WHERE lower(name) = lower($1) AND ($2::uuid IS NULL OR id <> $2::uuid)`,
    [name, except],
  );
  if (clash)
    throw conflict(
      clash.archived
        ? 'An archived agency already has that name: restore it instead.'
        : 'An agency with that name already exists.',
    );
}

/**
 * Every agency (or one), archived ones too, with how many referrals name it — counting only
 * referrals that touch no restricted matter the viewer is not granted (issue 11), so the count
 * never tells an administrator that, say, a Prevent referral was made.
 */
export async function listAllAgencies(t: Tx, only?: string): Promise<AdminAgency[]> {
  const touch = referralTouchesGranted(t.actor, 2);
  const rows = await t.q<AgencyRow>(
    `SELECT g.id, g.name, g.expected_response_hours, g.archived_at,
            (SELECT count(*) FROM referrals r WHERE r.agency_id = g.id AND ${touch.sql})::int
              AS referrals
     FROM referral_agencies g WHERE ($1::uuid IS NULL OR g.id = $1::uuid)
     ORDER BY g.archived_at IS NOT NULL, lower(g.name), g.id`,
    [only ?? null, ...touch.params],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    expectedResponseHours: r.expected_response_hours,
    archived: r.archived_at !== null,
    referrals: Number(r.referrals),
  }));
}

export async function getAgency(t: Tx, id: string): Promise<AdminAgency> {
  const [agency] = await listAllAgencies(t, id);
  if (!agency) throw notFound('That agency');
  return agency;
}

export async function createAgency(t: Tx, input: NewAgency): Promise<string> {
  const name = cleanName(input.name);
  const hours = cleanHours(input.expectedResponseHours);
  await refuseDuplicate(t, name, null);
  const [row] = await t.q<{ id: string }>(
    `INSERT INTO referral_agencies (school_id, name, expected_response_hours)
     VALUES ($1, $2, $3) RETURNING id`,
    [t.actor.schoolId, name, hours],
  );
  const id = row!.id;
  await t.audit({
    action: 'referral_agency.created',
    targetType: 'referral_agency',
    targetId: id,
    details: { expectedResponseHours: hours },
  });
  return id;
}

export async function changeAgency(t: Tx, id: string, change: AgencyChange): Promise<void> {
  if (
    change.name === undefined &&
    change.expectedResponseHours === undefined &&
    change.archived === undefined
  )
    throw badRequest('Say what to change: the name, the response time or archiving.', 'no_change');
  const [row] = await t.q<AgencyRow>(
    `SELECT id, name, expected_response_hours, archived_at, 0 AS referrals
     FROM referral_agencies WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!row) throw notFound('That agency');
  const name = change.name === undefined ? row.name : cleanName(change.name);
  const hours =
    change.expectedResponseHours === undefined
      ? row.expected_response_hours
      : cleanHours(change.expectedResponseHours);
  const archived = change.archived ?? row.archived_at !== null;
  if (name.toLowerCase() !== row.name.toLowerCase()) await refuseDuplicate(t, name, id);
  const fields: string[] = [];
  if (name !== row.name) fields.push('name');
  if (hours !== row.expected_response_hours) fields.push('expectedResponseHours');
  if (fields.length > 0) {
    await t.q(
      'UPDATE referral_agencies SET name = $2, expected_response_hours = $3 WHERE id = $1',
      [id, name, hours],
    );
    await t.audit({
      action: 'referral_agency.updated',
      targetType: 'referral_agency',
      targetId: id,
      details: { fields, expectedResponseHours: hours },
    });
  }
  if (archived !== (row.archived_at !== null)) {
    await t.q('UPDATE referral_agencies SET archived_at = $2 WHERE id = $1', [
      id,
      archived ? t.now : null,
    ]);
    await t.audit({
      action: archived ? 'referral_agency.archived' : 'referral_agency.restored',
      targetType: 'referral_agency',
      targetId: id,
    });
  }
}
