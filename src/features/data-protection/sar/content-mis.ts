// What the school's information system holds about a subject (issue 17): their MIS events, their
// MIS record (identity, characteristics, address; sealed columns opened here) and their contacts.
import { words, type Content, type Reader } from './content-types.ts';

export const misEvents: Reader = async (t, _s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    from_value: string | null;
    to_value: string | null;
  }>('SELECT id, kind, from_value, to_value FROM pupil_events WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: `MIS: ${words(r.kind)}`,
        author: 'the MIS (school information system)',
        text: [r.from_value && `From: ${r.from_value}`, r.to_value && `To: ${r.to_value}`]
          .filter(Boolean)
          .join('\n'),
        people: [],
      },
    ]),
  );
};

const yesNo = (v: boolean | null) => (v === null ? null : v ? 'yes' : 'no');

export const misRecords: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    first_name: string;
    last_name: string;
    preferred_name: string | null;
    dob: string | null;
    gender: string | null;
    upn: string | null;
    year_group: string | null;
    form: string | null;
    ethnicity: Buffer | null;
    religion: Buffer | null;
    first_language: Buffer | null;
    sen_status: Buffer | null;
    address: Buffer | null;
    legal_name: string | null;
    middle_names: string | null;
    admission_number: string | null;
    uln: string | null;
    entry_date: string | null;
    leaving_date: string | null;
    fsm_eligible: boolean | null;
    fsm_end_date: string | null;
    pupil_premium: boolean | null;
    eal: boolean | null;
    gifted: boolean | null;
  }>(
    `SELECT id, first_name, last_name, preferred_name, date_of_birth::text AS dob, gender, upn,
       year_group, form, ethnicity, religion, first_language, sen_status, address,
       nullif(concat_ws(' ', legal_first_name, legal_last_name), '') AS legal_name, middle_names,
       admission_number, uln, entry_date::text AS entry_date, leaving_date::text AS leaving_date,
       fsm_eligible, fsm_end_date::text AS fsm_end_date, pupil_premium, eal, gifted
     FROM pupils WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((p) => {
      const open = (
        c: 'pupils.ethnicity' | 'pupils.religion' | 'pupils.first_language' | 'pupils.sen_status',
        v: Buffer | null,
      ) => (v ? s.open(c, p.id, v) : null);
      const address = p.address
        ? Object.values(
            s.openJson<Record<string, string | null>>('pupils.address', p.id, p.address),
          )
            .filter((v) => typeof v === 'string' && v !== '')
            .join(', ')
        : null;
      const lines: [string, string | null][] = [
        ['Name', `${p.first_name} ${p.last_name}`],
        ['Preferred name', p.preferred_name],
        ['Date of birth', p.dob],
        ['Gender', p.gender],
        ['UPN', p.upn],
        ['Year group', p.year_group],
        ['Form', p.form],
        ['Ethnicity', open('pupils.ethnicity', p.ethnicity)],
        ['Religion', open('pupils.religion', p.religion)],
        ['First language', open('pupils.first_language', p.first_language)],
        ['SEN status', open('pupils.sen_status', p.sen_status)],
        ['Address', address],
        // Session 13: the rest of what the MIS sends about the pupil.
        ['Legal name', p.legal_name],
        ['Middle names', p.middle_names],
        ['Admission number', p.admission_number],
        ['Unique learner number', p.uln],
        ['Date of entry', p.entry_date],
        ['Date of leaving', p.leaving_date],
        ['Eligible for free school meals', yesNo(p.fsm_eligible)],
        ['Free school meals until', p.fsm_end_date],
        ['Pupil premium', yesNo(p.pupil_premium)],
        ['English as an additional language', yesNo(p.eal)],
        ['Gifted and talented', yesNo(p.gifted)],
      ];
      return [
        p.id,
        {
          title: 'Information held from the school information system (MIS)',
          author: 'the MIS (school information system)',
          text: lines
            .filter(([, v]) => v)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n'),
          people: [],
        },
      ];
    }),
  );
};

export const contacts: Reader = async (t, _s, ids) => {
  const rows = await t.q<{
    pupil_id: string;
    name: string;
    relationship: string | null;
    pr: boolean | null;
  }>(
    `SELECT l.pupil_id, concat_ws(' ', c.title, c.first_name, c.last_name) AS name, l.relationship,
       l.parental_responsibility AS pr
     FROM pupil_contacts l JOIN contacts c ON c.id = l.contact_id
     WHERE l.pupil_id = ANY($1::uuid[]) ORDER BY l.priority NULLS LAST, c.last_name, c.id`,
    [ids],
  );
  const out = new Map<string, Content>();
  for (const id of ids) {
    const mine = rows.filter((r) => r.pupil_id === id);
    out.set(id, {
      title: 'Contacts held for the pupil',
      author: 'the MIS (school information system)',
      text: mine
        .map(
          (r) =>
            `${r.name}${r.relationship ? ` (${r.relationship})` : ''}${r.pr ? ', parental responsibility' : ''}`,
        )
        .join('\n'),
      people: mine.map((r) => ({ name: r.name, kind: 'contact', role: r.relationship })),
    });
  }
  return out;
};
