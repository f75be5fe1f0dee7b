// Demo data for admission forms (issue 21): the school's nursery admission form, sent for the
// nursery child whose parent accepted their invitation in the parents' demo, with some answers
// saved and the rest still to do (in progress). Called by src/demo/seed.ts after seedParents for
// each demo school; synthetic people only.
import { randomUUID } from 'node:crypto';
import { asSystem } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { responseRowId } from './answers.ts';
import { currentMisValues } from './mis-values.ts';

export type DemoFamily = { pupilId: string; contacts: string[] };

export async function seedAdmissions(
  services: Services,
  schoolId: string,
  staffId: string,
): Promise<DemoFamily> {
  return asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const sealer = await t.sealer();
    // The parents' demo (features/parents/demo.ts): the nursery child whose parent has accepted.
    const [linked] = await t.q<{ pupil_id: string }>(
      `SELECT pupil_id FROM parent_links WHERE accepted_at IS NOT NULL AND revoked_at IS NULL
       ORDER BY created_at LIMIT 1`,
    );
    if (!linked) throw new Error('seedAdmissions runs after the parents demo (seedParents)');
    const pupilId = linked.pupil_id;
    await t.q('UPDATE pupils SET first_language_code = $2 WHERE id = $1', [
      pupilId,
      sealer.seal('pupils.first_language_code', pupilId, 'ENG'),
    ]);
    const contacts = (
      await t.q<{ contact_id: string }>(
        `SELECT contact_id FROM pupil_contacts WHERE pupil_id = $1 AND parental_responsibility
         ORDER BY priority`,
        [pupilId],
      )
    ).map((r) => r.contact_id);
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
         mis_snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
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
      ],
    );
    // The first parent's own copy, part filled (each parent fills their own: migration 0060).
    if (contacts[0])
      await t.q(
        `INSERT INTO admission_responses (school_id, request_id, contact_id, answers, saved_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          schoolId,
          requestId,
          contacts[0],
          sealer.sealJson(
            'admission_responses.answers',
            responseRowId(requestId, contacts[0]),
            answers,
          ),
          t.now,
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
