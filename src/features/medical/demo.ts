// Demo data for medical and care profiles (issue 21): the child of the demo school's accepted
// parent (or the first pupil) has confirmed items, one change waiting for the parent and one
// waiting for the school, and an asthma action plan due to expire in three weeks (its reminder
// falls due now) with its annual review. Called by src/demo/seed.ts after the parents' demo;
// synthetic people only. Answers the pupil, for the trips' demo.
import { randomUUID } from 'node:crypto';
import { asSystem, type SchoolTx } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import type { EntryContent, MedicalKind } from '../../shared/medical.ts';
import { addYear, addDays, dayOfDate } from './rules.ts';

const PDF = Buffer.from(
  '%PDF-1.4\n% Demo asthma action plan (synthetic)\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

async function entry(
  t: SchoolTx,
  pupilId: string,
  kind: MedicalKind,
  content: EntryContent,
  who: { staff: string; parent: string },
  state: 'current' | 'awaiting_parent' | 'awaiting_staff',
) {
  const id = randomUUID();
  const sealer = await t.sealer();
  const byParent = state === 'awaiting_staff';
  await t.q(
    `INSERT INTO medical_entries (id, school_id, pupil_id, entry_key, kind, content, proposed_by_kind,
       proposed_by, proposed_at, parent_confirmed_at, parent_confirmed_by, staff_acknowledged_at,
       staff_acknowledged_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      t.schoolId,
      pupilId,
      randomUUID(),
      kind,
      sealer.sealJson('medical_entries.content', id, content),
      byParent ? 'parent' : 'staff',
      byParent ? who.parent : who.staff,
      t.now,
      state === 'awaiting_parent' ? null : t.now,
      state === 'awaiting_parent' ? null : who.parent,
      state === 'awaiting_staff' ? null : t.now,
      state === 'awaiting_staff' ? null : who.staff,
    ],
  );
}

export async function seedMedical(
  services: Services,
  schoolId: string,
  ids: { staff: string },
): Promise<string | null> {
  return asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const [linked] = await t.q<{ pupil_id: string; parent_id: string }>(
      `SELECT l.pupil_id, l.parent_id FROM parent_links l
       JOIN parent_accounts a ON a.id = l.parent_id AND a.status = 'active'
       WHERE l.accepted_at IS NOT NULL AND l.revoked_at IS NULL ORDER BY l.pupil_id LIMIT 1`,
    );
    const [first] = await t.q<{ id: string }>(
      'SELECT id FROM pupils WHERE archived_at IS NULL ORDER BY last_name, first_name LIMIT 1',
    );
    const pupilId = linked?.pupil_id ?? first?.id;
    if (!pupilId) return null;
    const who = { staff: ids.staff, parent: linked?.parent_id ?? randomUUID() };
    await entry(
      t,
      pupilId,
      'allergy',
      {
        name: 'Peanuts',
        severity: 'anaphylaxis',
        details: 'Two adrenaline pens: one in the office, one in the bag.',
      },
      who,
      'current',
    );
    await entry(t, pupilId, 'condition', { name: 'Asthma', riskLevel: 'high' }, who, 'current');
    await entry(
      t,
      pupilId,
      'medication',
      {
        name: 'Salbutamol inhaler',
        dose: '2 puffs',
        when: 'When wheezy, and before PE',
        administeredBy: 'self, supervised',
      },
      who,
      'awaiting_parent',
    );
    await entry(t, pupilId, 'dietary', { name: 'Vegetarian' }, who, 'awaiting_staff');

    const planId = randomUUID();
    const sealer = await t.sealer();
    const today = dayOfDate(t.now);
    await t.q(
      `INSERT INTO medical_plans (id, school_id, pupil_id, kind, title, file_name, mime, size_bytes,
         content, expires_on, proposed_by_kind, proposed_by, proposed_at, parent_confirmed_at,
         parent_confirmed_by, staff_acknowledged_at, staff_acknowledged_by)
       VALUES ($1, $2, $3, 'action_plan', $4, $5, 'application/pdf', $6, $7, $8, 'staff', $9, $10,
         $10, $11, $10, $9)`,
      [
        planId,
        schoolId,
        pupilId,
        sealer.seal('medical_plans.title', planId, 'Asthma action plan'),
        sealer.seal('medical_plans.file_name', planId, 'asthma-action-plan.pdf'),
        PDF.byteLength,
        sealer.seal('medical_plans.content', planId, PDF.toString('base64')),
        addDays(today, 21),
        who.staff,
        t.now,
        who.parent,
      ],
    );
    await t.q(
      'INSERT INTO medical_plan_reviews (id, school_id, plan_id, due_on) VALUES ($1, $2, $3, $4)',
      [randomUUID(), schoolId, planId, addYear(addDays(today, -350))],
    );
    await t.audit({
      action: 'medical.plan_added',
      targetType: 'pupil',
      targetId: pupilId,
      details: { by: 'staff', expiresOn: addDays(today, 21), bytes: PDF.byteLength },
    });
    return pupilId;
  });
}
