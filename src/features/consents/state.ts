// What a pupil's consent comes to (issue 21), from the answers of the parents with parental
// responsibility to the form's current version: each parent's latest answer counts (a withdrawal
// is a later answer, effective from then on); all who answered gave it → given; all refused or
// withdrew → refused; some each way → disagreement (flagged to staff); none yet → unanswered.
// Answers to earlier versions never count for a later one: a new version asks again.
import type { SchoolTx } from '../../core/context.ts';
import type { ConsentAnswerKind, ConsentState, CurrentConsent } from '../../shared/consents.ts';

export type AnswerEvent = {
  contactId: string;
  answer: ConsentAnswerKind;
  answeredAt: Date;
};

/** Each parent's latest answer (events oldest first). */
export function latestByContact(events: readonly AnswerEvent[]): Map<string, AnswerEvent> {
  const out = new Map<string, AnswerEvent>();
  for (const e of events) out.set(e.contactId, e);
  return out;
}

export function stateOf(events: readonly AnswerEvent[]): ConsentState {
  const latest = [...latestByContact(events).values()];
  if (latest.length === 0) return 'unanswered';
  const given = latest.filter((e) => e.answer === 'given').length;
  if (given === latest.length) return 'given';
  if (given === 0) return 'refused';
  return 'disagreement';
}

/**
 * The current consents of each pupil, on every form that asks about them (for M's trip cards).
 * Reads only: the caller audits its own read (a trip's card names the trip).
 */
export async function currentConsents(
  t: SchoolTx,
  pupilIds: readonly string[],
): Promise<CurrentConsent[]> {
  if (pupilIds.length === 0) return [];
  const versions = await t.q<{
    form_id: string;
    title: string;
    pupil_id: string;
    version_id: string;
    version: number;
    body_sha256: string;
    withdrawn_at: Date | null;
  }>(
    `SELECT f.id AS form_id, f.title, fp.pupil_id, v.id AS version_id, v.version, v.body_sha256,
       v.withdrawn_at
     FROM consent_form_pupils fp JOIN consent_forms f ON f.id = fp.form_id
     JOIN consent_versions v ON v.form_id = f.id AND v.superseded_at IS NULL
     WHERE fp.pupil_id = ANY($1::uuid[]) ORDER BY f.title, fp.pupil_id`,
    [[...pupilIds]],
  );
  const answers = await t.q<{
    version_id: string;
    pupil_id: string;
    contact_id: string;
    answer: ConsentAnswerKind;
    answered_at: Date;
  }>(
    `SELECT a.version_id, a.pupil_id, a.contact_id, a.answer, a.answered_at
     FROM consent_answers a
     JOIN pupil_contacts pc ON pc.pupil_id = a.pupil_id AND pc.contact_id = a.contact_id
       AND pc.parental_responsibility
     WHERE a.pupil_id = ANY($1::uuid[]) ORDER BY a.answered_at, a.seq`,
    [[...pupilIds]],
  );
  return versions.map((v) => {
    const events = answers
      .filter((a) => a.version_id === v.version_id && a.pupil_id === v.pupil_id)
      .map((a) => ({
        contactId: a.contact_id,
        answer: a.answer,
        answeredAt: new Date(a.answered_at),
      }));
    return {
      pupilId: v.pupil_id,
      formId: v.form_id,
      title: v.title,
      version: v.version,
      sha256: v.body_sha256,
      state: v.withdrawn_at ? 'withdrawn_form' : stateOf(events),
      answers: [...latestByContact(events).values()].map((e) => ({
        contactId: e.contactId,
        answer: e.answer,
        answeredAt: e.answeredAt.toISOString(),
      })),
    };
  });
}
