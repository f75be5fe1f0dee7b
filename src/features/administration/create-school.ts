// Creating a school: its row, its own data and search keys, its starting categories, and the
// first entry of its audit chain, all in one transaction. An operator action (CLI, demo, tests),
// so it runs through the operator's door (as the owner: the school does not exist yet).
import type { Database } from '../../platform/db/engine.ts';
import { systemClock } from '../../platform/services.ts';
import type { SchoolKeys } from '../../platform/crypto/school-keys.ts';
import { unsafeAsOperator } from '../../core/context.ts';
import { seedCategories } from '../categories/seed.ts';
import { seedDefaultGroups } from '../../core/access/seed-groups.ts';
import { seedAgencies } from '../referrals/seed.ts';

export type NewSchool = { name: string; trustId?: string | null; isDemo?: boolean };

export async function createTrust(db: Database, name: string, isDemo = false): Promise<string> {
  return unsafeAsOperator({ db, clock: systemClock }, 'operator', async (t) => {
    const [row] = await t.q<{ id: string }>(
      'INSERT INTO trusts (name, is_demo) VALUES ($1, $2) RETURNING id',
      [name, isDemo],
    );
    return row!.id;
  });
}

export async function createSchool(
  deps: { db: Database; keys: SchoolKeys },
  school: NewSchool,
  operator = 'operator',
): Promise<string> {
  const name = school.name.trim();
  if (name.length < 1 || name.length > 200)
    throw new Error('A school name must be 1 to 200 characters.');
  return unsafeAsOperator({ db: deps.db, clock: systemClock }, operator, async (t) => {
    const [row] = await t.q<{ id: string }>(
      'INSERT INTO schools (name, trust_id, is_demo) VALUES ($1, $2, $3) RETURNING id',
      [name, school.trustId ?? null, school.isDemo ?? false],
    );
    const id = row!.id;
    await deps.keys.create(t.db, id);
    await seedCategories(t.db, id);
    await seedDefaultGroups(t.db, id);
    await seedAgencies(t.db, id);
    await t.audit(id, { action: 'school.created', targetType: 'school', targetId: id });
    return id;
  });
}
