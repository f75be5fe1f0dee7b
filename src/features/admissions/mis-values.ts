// What the MIS holds now for each field an admission form can ask about, read from Lantern's copy
// of the MIS feed (pupils, contacts, pupil_contacts; the special-category fields sealed since
// migration 0011). Fields Lantern's feed does not carry (doctor, medical conditions, dietary needs)
// read as null: the MIS may hold them, so the write-back file says "new value" and the school's
// import decides. Read-only: nothing here or in the write-back changes Lantern's copy.
import type { SchoolTx } from '../../core/context.ts';
import type { AnswerValue, MisFieldKey } from '../../shared/cbds.ts';

export type MisValues = Record<MisFieldKey, AnswerValue | null>;

type Address = Partial<Record<string, string | null>>;

/** An MIS address as the lines a parent would type (house, street, town, postcode). */
export function addressText(a: Address | null): string | null {
  if (!a) return null;
  const first = [a.houseNumber, a.houseName, a.street].filter(Boolean).join(' ');
  const lines = [first, a.district, a.town, a.county, a.postcode].filter((s) => !!s && s.trim());
  return lines.length === 0 ? null : lines.join('\n');
}

export async function currentMisValues(t: SchoolTx, pupilId: string): Promise<MisValues> {
  const [p] = await t.q<{
    first_name: string;
    preferred_name: string | null;
    ethnicity_code: Buffer | null;
    first_language_code: Buffer | null;
    religion_code: Buffer | null;
    address: Buffer | null;
  }>(
    `SELECT first_name, preferred_name, ethnicity_code, first_language_code, religion_code, address
     FROM pupils WHERE id = $1`,
    [pupilId],
  );
  if (!p) throw new Error('currentMisValues: no such pupil');
  const sealer = await t.sealer();
  const open = (col: 'ethnicity_code' | 'first_language_code' | 'religion_code') => {
    const v = p[col];
    return v ? sealer.open(`pupils.${col}`, pupilId, v) : null;
  };
  const contacts = await t.q<{
    id: string;
    first_name: string;
    last_name: string;
    relationship: string | null;
    priority: number | null;
    parental_responsibility: boolean | null;
    phones: Buffer | null;
    emails: Buffer | null;
  }>(
    `SELECT c.id, c.first_name, c.last_name, pc.relationship, pc.priority,
       pc.parental_responsibility, c.phones, c.emails
     FROM pupil_contacts pc JOIN contacts c ON c.id = pc.contact_id
     WHERE pc.pupil_id = $1 AND c.archived_at IS NULL AND pc.priority IN (1, 2)`,
    [pupilId],
  );
  const contactAt = (priority: number): AnswerValue | null => {
    const c = contacts.find((x) => x.priority === priority);
    if (!c) return null;
    const phones = c.phones
      ? sealer.openJson<{ number: string }[]>('contacts.phones', c.id, c.phones)
      : [];
    const emails = c.emails
      ? sealer.openJson<{ address: string }[]>('contacts.emails', c.id, c.emails)
      : [];
    return {
      forename: c.first_name,
      surname: c.last_name,
      relationship: c.relationship ?? '',
      parentalResponsibility: c.parental_responsibility === true,
      telephone: phones[0]?.number ?? '',
      email: emails[0]?.address ?? '',
    };
  };
  return {
    preferred_forename: p.preferred_name ?? p.first_name,
    ethnicity: open('ethnicity_code'),
    first_language: open('first_language_code'),
    religion: open('religion_code'),
    address: addressText(
      p.address ? sealer.openJson<Address>('pupils.address', pupilId, p.address) : null,
    ),
    doctor: null,
    medical_conditions: null,
    dietary_needs: null,
    contact_1: contactAt(1),
    contact_2: contactAt(2),
  };
}
