// The agency types a new school starts with, and the response time it expects from each (hours;
// null when there is no expectation). Schools change them; each referral copies the figure in
// force when it was made.
import type { Queryable } from '../../platform/db/engine.ts';

export const DEFAULT_AGENCIES: readonly { key: string; name: string; hours: number | null }[] = [
  // Working Together: children's social care decides within one working day of a referral.
  { key: 'social_care', name: "Children's social care", hours: 24 },
  { key: 'early_help', name: 'Early help', hours: 120 },
  { key: 'camhs', name: 'CAMHS / NHS', hours: 336 },
  { key: 'police', name: 'Police', hours: 24 },
  { key: 'lado', name: 'LADO', hours: 24 },
  { key: 'school_nurse', name: 'School nurse', hours: 120 },
  { key: 'other', name: 'Other agency', hours: null },
];

export async function seedAgencies(tx: Queryable, schoolId: string): Promise<void> {
  for (const a of DEFAULT_AGENCIES) {
    await tx.query(
      `INSERT INTO referral_agencies (school_id, key, name, expected_response_hours)
       VALUES ($1, $2, $3, $4)`,
      [schoolId, a.key, a.name, a.hours],
    );
  }
}
