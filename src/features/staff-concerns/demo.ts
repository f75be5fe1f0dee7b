// Demo data for concerns about adults (issue 19): one low-level concern, triaged, and one
// allegation about the DSL, triaged as possibly meeting the harm threshold with its LADO clock
// running. Called by src/demo/seed.ts for each demo school; synthetic people only.
import { randomUUID } from 'node:crypto';
import { asSystem } from '../../core/context.ts';
import { loadSchoolCalendar } from '../../core/calendar.ts';
import type { Services } from '../../platform/services.ts';
import { ladoDueAt } from './rules.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { staffMatterRetentionKind } from '../retention/staff-matters.ts';

export async function seedStaffConcerns(
  services: Services,
  schoolId: string,
  ids: { raiser: string; colleague: string; dsl: string; head: string },
): Promise<void> {
  await asSystem(services, schoolId, 'demo_seed').tx(async (t) => {
    const sealer = await t.sealer();
    const cal = await loadSchoolCalendar(t.db, schoolId);
    const samples = [
      {
        subject: ids.colleague,
        text: 'Gave a pupil a lift home alone after football practice, without telling anyone.',
        classification: 'low_level',
        rationale: 'Poor judgement, no intent to harm: discussed and recorded; guidance reissued.',
        theme: 'Alone with a pupil out of sight',
        hoursAgo: 72,
      },
      {
        subject: ids.dsl,
        text: 'A pupil said the DSL grabbed her arm hard in the corridor and left a mark.',
        classification: 'possibly_meets_threshold',
        rationale: 'A physical allegation: may meet the harm threshold. Consult the LADO today.',
        theme: null,
        hoursAgo: 2,
      },
    ] as const;
    for (const s of samples) {
      const id = randomUUID();
      const raisedAt = new Date(t.now.getTime() - s.hoursAgo * 3_600_000);
      const due =
        s.classification === 'possibly_meets_threshold'
          ? ladoDueAt(raisedAt, cal, DEFAULT_SETTINGS)
          : null;
      await t.q(
        `INSERT INTO staff_concerns (id, school_id, raised_by, raised_at, subject_kind,
           subject_user_id, what_happened, routed_to, classification, rationale, triaged_by,
           triaged_at, lado_due_at, theme, retention_kind)
         VALUES ($1, $2, $3, $4, 'staff', $5, $6, 'headteacher', $7, $8, $9, $10, $11, $12, $13)`,
        [
          id,
          schoolId,
          ids.raiser,
          raisedAt,
          s.subject,
          sealer.seal('staff_concerns.what_happened', id, s.text),
          s.classification,
          sealer.seal('staff_concerns.rationale', id, s.rationale),
          ids.head,
          t.now,
          due,
          s.theme,
          staffMatterRetentionKind(s.classification, null),
        ],
      );
      await t.audit({
        action: 'staff_concerns.raised',
        targetType: 'staff_concern',
        targetId: id,
        details: { subjectKind: 'staff', routedTo: 'headteacher', withholdName: false },
      });
    }
  });
}
