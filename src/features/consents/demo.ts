// Demo data for consent forms (issue 21): "Photographs on the school website" at version 2, with
// the parent's answer to version 1 kept (readable in the staff view and by the parent) and
// version 2 still to answer: a new version asks again. Called by src/demo/seed.ts after the
// admissions demo, for the same child; synthetic people only.
import { randomUUID } from 'node:crypto';
import { asSystem } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import type { DemoFamily } from '../admissions/demo.ts';
import { sha256Of } from './forms.ts';

const V1 =
  'We would like to use photographs of your child on the school website and in the newsletter.';
const V2 =
  'We would like to use photographs of your child on the school website, in the newsletter and on ' +
  'the school’s social media accounts. Children are never named beside their photograph.';

export async function seedConsents(
  services: Services,
  schoolId: string,
  staffId: string,
  family: DemoFamily,
): Promise<void> {
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const formId = randomUUID();
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(t.now.getTime() - daysAgo * day);
    await t.q(
      `INSERT INTO consent_forms (id, school_id, title, created_by, created_at)
       VALUES ($1, $2, 'Photographs on the school website', $3, $4)`,
      [formId, schoolId, staffId, at(30)],
    );
    await t.q(
      `INSERT INTO consent_form_pupils (school_id, form_id, pupil_id, added_at) VALUES ($1, $2, $3, $4)`,
      [schoolId, formId, family.pupilId, at(30)],
    );
    const versions: string[] = [];
    for (const [n, text, published, superseded] of [
      [1, V1, at(30), at(5)],
      [2, V2, at(5), null],
    ] as const) {
      const id = randomUUID();
      await t.q(
        `INSERT INTO consent_versions (id, school_id, form_id, version, body, body_sha256,
           published_by, published_at, valid_from, superseded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          schoolId,
          formId,
          n,
          text,
          sha256Of(text),
          staffId,
          published,
          published.toISOString().slice(0, 10),
          superseded,
        ],
      );
      versions.push(id);
    }
    for (const [i, contact] of family.contacts.entries()) {
      const [version, answer, when] = [versions[0], 'given', at(28 - i)] as const;
      await t.q(
        `INSERT INTO consent_answers (id, school_id, version_id, pupil_id, contact_id, answer, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [randomUUID(), schoolId, version, family.pupilId, contact, answer, when],
      );
    }
    await t.audit({
      action: 'consents.version_published',
      targetType: 'consent_form',
      targetId: formId,
      details: { version: 2, sha256: sha256Of(V2) },
    });
  });
}
