// Which schools an operator's incident touched, worked out from every school's audit trail in one
// statement, as the operator (the owner's login, across schools, without the request-time
// statement timeout: a window over a large installation's trail may take a while). Counts only:
// the entries that match the scope, the records they were about, and the pupils those records
// (and the searches and lists the entries showed) concern; never a name or a record's text.
// For each school, the draft this incident already opened there, if any. Each reading is itself
// an entry on the platform's chain (operator.incident_checked).
import { unsafeAsOperator } from '../../../core/context.ts';
import type { Services } from '../../../platform/services.ts';
import { PLATFORM_SCHOOL_ID } from '../../../platform/db/tenancy.ts';
import { scopeSql, type IncidentScope } from './scope.ts';

export type AffectedSchool = {
  schoolId: string;
  name: string;
  /** Audit entries that match the scope. */
  entries: number;
  /** Distinct safeguarding records the entries were about. */
  records: number;
  /** Distinct pupils whose records were opened, changed or exported, or shown in a search or list. */
  pupils: number;
  /** The draft breach this incident opened in the school, once it was told. */
  breachId: string | null;
  toldAt: Date | null;
};

/** The kinds of target that are a safeguarding record (the audit trail's "record"). */
const RECORD_TARGETS = [
  'pupil',
  'concern',
  'attachment',
  'case',
  'action',
  'referral',
  'conversation',
  'staff_concern',
  'transfer',
];

const ids = (action: string, key: string) =>
  `CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN m.action = '${action}'
     AND jsonb_typeof(m.details -> '${key}') = 'array' THEN m.details -> '${key}'
     ELSE '[]'::jsonb END) r(id)`;

/** Each (school, pupil) a matching entry touched. */
const PUPILS_TOUCHED = `
  SELECT m.school_id, p.id AS pupil FROM m JOIN pupils p
    ON p.school_id = m.school_id AND m.target_type = 'pupil' AND p.id::text = m.target_id
  UNION SELECT m.school_id, cp.pupil_id FROM m JOIN concern_pupils cp
    ON cp.school_id = m.school_id AND m.target_type = 'concern' AND cp.concern_id::text = m.target_id
  UNION SELECT m.school_id, cp.pupil_id FROM m JOIN attachments a
    ON a.school_id = m.school_id AND m.target_type = 'attachment' AND a.id::text = m.target_id
    JOIN concern_pupils cp ON cp.school_id = a.school_id AND cp.concern_id = a.concern_id
  UNION SELECT m.school_id, cp.pupil_id FROM m JOIN alerts al
    ON al.school_id = m.school_id AND m.target_type = 'alert' AND al.id::text = m.target_id
      AND al.target_type = 'concern'
    JOIN concern_pupils cp ON cp.school_id = al.school_id AND cp.concern_id::text = al.target_id::text
  ${['cases:case', 'actions:action', 'referrals:referral', 'conversations:conversation']
    .map((pair) => {
      const [table, target] = pair.split(':');
      return `UNION SELECT m.school_id, x.pupil_id FROM m JOIN ${table} x
    ON x.school_id = m.school_id AND m.target_type = '${target}' AND x.id::text = m.target_id`;
    })
    .join('\n  ')}
  UNION SELECT m.school_id, p.id FROM m ${ids('pupil.searched', 'results')}
    JOIN pupils p ON p.school_id = m.school_id AND p.id::text = r.id
  UNION SELECT m.school_id, cp.pupil_id FROM m ${ids('concern.listed', 'concerns')}
    JOIN concern_pupils cp ON cp.school_id = m.school_id AND cp.concern_id::text = r.id
  UNION SELECT m.school_id, cp.pupil_id FROM m ${ids('records.searched', 'results')}
    JOIN concern_pupils cp ON cp.school_id = m.school_id AND cp.concern_id::text = r.id`;

/**
 * The schools with at least one entry in the scope, by name, each with its counts and, for an
 * incident already recorded (`incidentId`), the draft it opened there.
 */
export async function affectedSchools(
  services: Pick<Services, 'db' | 'clock'>,
  scope: IncidentScope,
  incident: { id: string | null; reference: string },
): Promise<AffectedSchool[]> {
  const params: unknown[] = [];
  const where = scopeSql(scope, params);
  params.push(RECORD_TARGETS, incident.id);
  const [records, told] = [`$${params.length - 1}`, `$${params.length}`];
  const rows = await unsafeAsOperator(services, 'operator', async (t) => {
    const found = await t.q<{
      school_id: string;
      name: string;
      entries: number;
      records: number;
      pupils: number;
      breach_id: string | null;
      told_at: Date | null;
    }>(
      `WITH m AS (
         SELECT e.school_id, e.action, e.target_type, e.target_id, e.details
         FROM audit_events e WHERE ${where.join(' AND ')}
       ), touched AS (${PUPILS_TOUCHED})
       SELECT s.id AS school_id, s.name, count(*)::int AS entries,
         count(DISTINCT m.target_type || ':' || m.target_id)
           FILTER (WHERE m.target_type = ANY(${records}::text[]))::int AS records,
         (SELECT count(DISTINCT x.pupil)::int FROM touched x WHERE x.school_id = s.id) AS pupils,
         b.id AS breach_id, b.recorded_at AS told_at
       FROM m JOIN schools s ON s.id = m.school_id
       LEFT JOIN dp_breaches b ON b.school_id = s.id AND b.operator_incident_id = ${told}::uuid
       GROUP BY s.id, s.name, b.id, b.recorded_at
       ORDER BY s.name, s.id`,
      params,
    );
    // The operator read every school's trail (counts only): on the platform's own chain.
    await t.audit(PLATFORM_SCHOOL_ID, {
      action: 'operator.incident_checked',
      details: { reference: incident.reference, schools: found.length },
    });
    return found;
  });
  return rows.map((r) => ({
    schoolId: r.school_id,
    name: r.name,
    entries: Number(r.entries),
    records: Number(r.records),
    pupils: Number(r.pupils),
    breachId: r.breach_id,
    toldAt: r.told_at ? new Date(r.told_at) : null,
  }));
}
