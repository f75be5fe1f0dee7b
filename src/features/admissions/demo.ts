// Demo data for admission forms (issue 21): a nursery child joining, with two parents holding
// parental responsibility (as the MIS would send them), and the school's nursery admission form
// sent for the child with some answers saved and the rest still to do (in progress). Called by
// src/demo/seed.ts for each demo school; synthetic people only, emails on a reserved domain.
import { randomUUID } from 'node:crypto';
import { asSystem } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { currentMisValues } from './mis-values.ts';

export type DemoFamily = { pupilId: string; contacts: string[] };

export async function seedAdmissions(
  services: Services,
  schoolId: string,
  staffId: string,
): Promise<DemoFamily> {
  return asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const sealer = await t.sealer();
    const pupilId = randomUUID();
    await t.q(
      `INSERT INTO pupils (id, school_id, mis_id, first_name, last_name, date_of_birth, year_group, form)
       VALUES ($1, $2, $3, 'Ruby', 'Okafor', '2023-05-14', 'Nursery', 'N1')`,
      [pupilId, schoolId, `DEMO-N-${pupilId.slice(0, 8)}`],
    );
    await t.q('UPDATE pupils SET first_language_code = $2 WHERE id = $1', [
      pupilId,
      sealer.seal('pupils.first_language_code', pupilId, 'ENG'),
    ]);
    const contacts: string[] = [];
    for (const [first, priority] of [
      ['Grace', 1],
      ['Samuel', 2],
    ] as const) {
      const id = randomUUID();
      await t.q(
        `INSERT INTO contacts (id, school_id, mis_id, first_name, last_name, phones, emails)
         VALUES ($1, $2, $3, $4, 'Okafor', $5, $6)`,
        [
          id,
          schoolId,
          `DEMO-C-${id.slice(0, 8)}`,
          first,
          sealer.sealJson('contacts.phones', id, [
            { kind: 'mobile', number: `07700 90012${priority}` },
          ]),
          sealer.sealJson('contacts.emails', id, [
            { kind: 'home', address: `${first.toLowerCase()}.okafor@parents.demo.lantern.invalid` },
          ]),
        ],
      );
      await t.q(
        `INSERT INTO pupil_contacts (school_id, pupil_id, contact_id, relationship, priority,
           parental_responsibility, lives_with_pupil) VALUES ($1, $2, $3, 'PAR', $4, true, true)`,
        [schoolId, pupilId, id, priority],
      );
      contacts.push(id);
    }
    const formId = randomUUID();
    const questions = [
      { field: 'preferred_forename', required: false },
      { field: 'ethnicity', required: true },
      { field: 'first_language', required: true },
      { field: 'religion', required: false },
      { field: 'address', required: true },
      { field: 'doctor', required: true },
      { field: 'medical_conditions', required: false },
      { field: 'dietary_needs', required: false },
      { field: 'contact_1', required: true },
      { field: 'contact_2', required: false },
    ];
    await t.q(
      `INSERT INTO admission_forms (id, school_id, title, intake, questions, created_by, created_at)
       VALUES ($1, $2, 'Nursery admission, September 2027', 'nursery', $3::jsonb, $4, $5)`,
      [formId, schoolId, JSON.stringify(questions), staffId, t.now],
    );
    const requestId = randomUUID();
    const answers = {
      preferred_forename: 'Ruby',
      ethnicity: 'BAFR',
      first_language: 'ENG',
      dietary_needs: 'NUT',
    };
    await t.q(
      `INSERT INTO admission_requests (id, school_id, form_id, pupil_id, sent_by, sent_at,
         mis_snapshot, answers, saved_at, saved_by_contact)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $9)`,
      [
        requestId,
        schoolId,
        formId,
        pupilId,
        staffId,
        t.now,
        sealer.sealJson(
          'admission_requests.mis_snapshot',
          requestId,
          await currentMisValues(t, pupilId),
        ),
        sealer.sealJson('admission_requests.answers', requestId, answers),
        contacts[0],
      ],
    );
    await t.audit({
      action: 'admissions.form_sent',
      targetType: 'admission_form',
      targetId: formId,
      details: { pupils: [pupilId] },
    });
    return { pupilId, contacts };
  });
}
