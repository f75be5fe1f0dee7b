// Test set-up shared by the admissions and consents tests: a family (a pupil with two contacts
// holding parental responsibility, as the MIS feed would leave them, the special-category fields
// sealed) and a runner for the domain's parent-side functions in the school, until the parent
// door's routes call them.
import { randomUUID } from 'node:crypto';
import { asSystem, type SchoolTx } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { makePupil } from '../../test/harness.ts';

export type Family = { pupilId: string; name: string; mum: string; dad: string };

export async function makeFamily(
  services: Services,
  schoolId: string,
  opts: { ethnicity?: string; firstName?: string } = {},
): Promise<Family> {
  const pupil = await makePupil(services, schoolId, {
    firstName: opts.firstName ?? 'Nia',
    yearGroup: 'Nursery',
  });
  const mum = randomUUID();
  const dad = randomUUID();
  await asSystem(services, schoolId, 'mis_sync').tx(async (t) => {
    const sealer = await t.sealer();
    await t.q(
      'UPDATE pupils SET ethnicity_code = $2, first_language_code = $3, religion_code = $4 WHERE id = $1',
      [
        pupil.id,
        sealer.seal('pupils.ethnicity_code', pupil.id, opts.ethnicity ?? 'WBRI'),
        sealer.seal('pupils.first_language_code', pupil.id, 'ENG'),
        sealer.seal('pupils.religion_code', pupil.id, 'NOR'),
      ],
    );
    for (const [id, first, priority, email] of [
      [mum, 'Mia', 1, `mia-${mum.slice(0, 6)}@example.invalid`],
      [dad, 'Dev', 2, `dev-${dad.slice(0, 6)}@example.invalid`],
    ] as const) {
      await t.q(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, phones, emails)
         VALUES ($1, $2, $3, $4, 'Parent', $5, $6)`,
        [
          id,
          schoolId,
          `C-${id.slice(0, 8)}`,
          first,
          sealer.sealJson('contacts.phones', id, [{ kind: 'mobile', number: '07700 900001' }]),
          sealer.sealJson('contacts.emails', id, [{ kind: 'home', address: email }]),
        ],
      );
      await t.q(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
           parental_responsibility) VALUES ($1, $2, $3, 'PAR', $4, true)`,
        [schoolId, pupil.id, id, priority],
      );
    }
  });
  return { pupilId: pupil.id, name: pupil.name, mum, dad };
}

/** Runs parent-side domain work in the school, as the parent door will. */
export const asParent =
  (services: Services, schoolId: string) =>
  <T>(fn: (t: SchoolTx) => Promise<T>): Promise<T> =>
    asSystem(services, schoolId, 'operator', 'parent-test').tx(fn);
