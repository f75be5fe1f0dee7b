// What the items of gather-more.ts say (issue 17, session 13), read from their records every time
// (sealed columns opened here, as the features that own them open them): medical entries and
// plans (flags, SEN and attendance are in content-pupil.ts), transfer files received, contact restrictions, consent and
// admission answers, trips, and a requester's own contact details. Each text is built the same
// way each time, so a redaction's offsets keep their meaning while the record is unchanged.
import type { ChangeState } from '../../../shared/medical.ts';
import type { EntryContent } from '../../../shared/medical.ts';
import { answerInWords, misField, type AnswerValue } from '../../../shared/cbds.ts';
import { stateOf } from '../../medical/policy.ts';
import { dayOf, words, type Content, type Person, type Reader } from './content-types.ts';
import { splitId } from './gather-more.ts';

export const MIS = 'the MIS (school information system)';
export const lines = (xs: [string, string | null | undefined][]) =>
  xs
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
export const between = (from: string | null, to: string | null) =>
  [from && `from ${dayOf(from)}`, to && `to ${dayOf(to)}`].filter(Boolean).join(' ');
export const byId = <T extends { id: string }>(rows: T[], f: (r: T) => Content) =>
  new Map(rows.map((r) => [r.id, f(r)]));

const STATE_WORDS: Record<ChangeState, string> = {
  current: 'current',
  awaiting_parent: 'proposed, waiting for a parent to confirm',
  awaiting_staff: 'proposed, waiting for the school to acknowledge',
  superseded: 'replaced by a later version',
  declined: 'declined',
};

export const medical: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    content: Buffer | null;
    removal: boolean;
    proposed_by_kind: 'staff' | 'parent';
    parent_confirmed_at: Date | null;
    staff_acknowledged_at: Date | null;
    declined_at: Date | null;
    superseded_at: Date | null;
  }>(
    `SELECT id, kind, content, removal, proposed_by_kind, parent_confirmed_at,
       staff_acknowledged_at, declined_at, superseded_at
     FROM medical_entries WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => {
    const c = r.content
      ? s.openJson<EntryContent>('medical_entries.content', r.id, r.content)
      : null;
    return {
      title: `Medical: ${words(r.kind)}${r.removal ? ' (removed)' : c ? ` (${c.name})` : ''}`,
      author: r.proposed_by_kind === 'parent' ? 'a parent' : 'a member of staff',
      text: lines([
        ['Name', c?.name],
        ['Risk level', c?.riskLevel && words(c.riskLevel)],
        ['Severity', c?.severity && words(c.severity)],
        ['Dose', c?.dose],
        ['When', c?.when],
        ['Given by', c?.administeredBy],
        ['Details', c?.details],
        ['This version', `${r.removal ? 'removes the item; ' : ''}${STATE_WORDS[stateOf(r)]}`],
      ]),
      people: [],
    };
  });
};

export const medicalPlans: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    title: Buffer;
    file_name: Buffer;
    mime: string;
    size: number;
    expires_on: string;
  }>(
    `SELECT id, kind, title, file_name, mime, size_bytes AS size, expires_on::text
     FROM medical_plans WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => ({
    title: `${r.kind === 'healthcare_plan' ? 'Healthcare plan' : 'Action plan'}: ${s.open('medical_plans.title', r.id, r.title)}`,
    author: null,
    text: `${s.open('medical_plans.file_name', r.id, r.file_name)} (${r.mime}, ${Math.ceil(r.size / 1024)} KB), until ${dayOf(r.expires_on)}. The plan document itself is listed here: a copy is provided on request.`,
    people: [],
  }));
};

type ReceivedFile = {
  items: {
    happenedAt: string;
    title: string;
    text: string | null;
    author: string | null;
    pupils: { name: string; role: string }[];
  }[];
  withheld: unknown[];
};

export const transfersReceived: Reader = async (t, s, ids) => {
  const rows = await t.q<{ id: string; from_school_name: string; file: Buffer; state: string }>(
    `SELECT id, from_school_name, file, state FROM transfer_inbox WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => {
    const f = s.openJson<ReceivedFile>('transfer_inbox.file', r.id, r.file);
    const people: Person[] = [];
    for (const i of f.items) {
      if (i.author) people.push({ name: i.author, kind: 'staff', role: 'author' });
      for (const p of i.pupils) people.push({ name: p.name, kind: 'pupil', role: words(p.role) });
    }
    return {
      title: `File received from ${r.from_school_name}`,
      author: r.from_school_name,
      text: [
        `The child-protection file sent by ${r.from_school_name} (${words(r.state)}): ${f.items.length} record(s)${f.withheld.length > 0 ? `, ${f.withheld.length} withheld by the sending school` : ''}.`,
        ...f.items.map(
          (i) =>
            `${dayOf(i.happenedAt)}: ${i.title}${i.author ? ` (by ${i.author})` : ''}${i.text ? `\n${i.text}` : ''}`,
        ),
      ].join('\n\n'),
      people,
    };
  });
};

export const contactRestrictions: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    court_order: boolean;
    note: Buffer | null;
    starts_on: string | null;
    ends_on: string | null;
    removed_at: Date | null;
    contact: string;
  }>(
    `SELECT r.id, r.kind, r.court_order, r.note, r.starts_on::text, r.ends_on::text, r.removed_at,
       concat_ws(' ', c.title, c.first_name, c.last_name) AS contact
     FROM contact_restrictions r JOIN contacts c ON c.id = r.contact_id
     WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => ({
    title: `Contact restriction: ${words(r.kind)}`,
    author: null,
    text: lines([
      [
        'Restriction',
        `${words(r.kind)} with ${r.contact}${r.court_order ? ' (a court order)' : ''}`,
      ],
      ['When', between(r.starts_on, r.ends_on)],
      ['Note', r.note ? s.open('contact_restrictions.note', r.id, r.note) : null],
      ['Lifted', r.removed_at ? dayOf(r.removed_at) : null],
    ]),
    people: [{ name: r.contact, kind: 'contact', role: 'restricted contact' }],
  }));
};

export const consents: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    answer: string;
    note: Buffer | null;
    answered_at: Date;
    title: string;
    version: number;
    contact: string;
  }>(
    `SELECT a.id, a.answer, a.note, a.answered_at, f.title, v.version,
       concat_ws(' ', c.first_name, c.last_name) AS contact
     FROM consent_answers a JOIN consent_versions v ON v.id = a.version_id
     JOIN consent_forms f ON f.id = v.form_id JOIN contacts c ON c.id = a.contact_id
     WHERE a.id = ANY($1::uuid[])`,
    [ids],
  );
  return byId(rows, (r) => ({
    title: `Consent: ${r.title}`,
    author: r.contact,
    text: lines([
      [
        'Answer',
        `${r.answer}, by ${r.contact}, on ${dayOf(r.answered_at)} (version ${r.version} of the form)`,
      ],
      ['Note', r.note ? s.open('consent_answers.note', r.id, r.note) : null],
    ]),
    people: [{ name: r.contact, kind: 'contact', role: 'answered' }],
  }));
};

/**
 * One parent's admission answers in the order of the form's own questions (answers to fields the
 * form no longer asks follow, in their order), each under the field's label and in words: a code
 * as its CBDS code set's label, a contact's relationship likewise (answerInWords), never the code
 * the MIS takes, which means nothing to the person reading the response.
 */
export function admissionAnswerLines(
  questions: readonly { field: string }[],
  answers: Record<string, AnswerValue>,
): string[] {
  const asked = questions.map((q) => q.field);
  const order = [...new Set([...asked, ...Object.keys(answers)])];
  return order.flatMap((key) => {
    const value = answers[key];
    if (value === undefined) return [];
    // A field Lantern no longer offers keeps its key's words and its answer as given.
    const field = misField(key) ?? {
      key,
      label: words(key),
      kind: typeof value === 'string' ? 'text' : 'contact',
      sims: '',
    };
    return [`${field.label}: ${answerInWords(field, value)}`];
  });
}

export const admissions: Reader = async (t, s, ids) => {
  const pairs = ids.map(splitId);
  const rows = await t.q<{
    request_id: string;
    contact_id: string;
    answers: Buffer;
    submitted_at: Date | null;
    title: string;
    questions: { field: string }[] | string;
    contact: string;
  }>(
    `SELECT a.request_id, a.contact_id, a.answers, a.submitted_at, f.title, f.questions,
       concat_ws(' ', c.first_name, c.last_name) AS contact
     FROM admission_responses a JOIN admission_requests r ON r.id = a.request_id
     JOIN admission_forms f ON f.id = r.form_id JOIN contacts c ON c.id = a.contact_id
     WHERE a.request_id = ANY($1::uuid[]) AND a.contact_id = ANY($2::uuid[])`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
  return new Map(
    rows.map((r) => {
      const id = `${r.request_id}:${r.contact_id}`;
      const answers = s.openJson<Record<string, AnswerValue>>(
        'admission_responses.answers',
        id,
        r.answers,
      );
      const questions =
        typeof r.questions === 'string'
          ? (JSON.parse(r.questions) as { field: string }[])
          : r.questions;
      return [
        id,
        {
          title: `Admission form: ${r.title}`,
          author: r.contact,
          text: [
            `Answers by ${r.contact}${r.submitted_at ? `, submitted ${dayOf(r.submitted_at)}` : ', saved but not submitted'}.`,
            ...admissionAnswerLines(questions, answers),
          ].join('\n'),
          people: [{ name: r.contact, kind: 'contact', role: 'answered' }],
        },
      ];
    }),
  );
};

export const trips: Reader = async (t, _s, ids) => {
  const rows = await t.q<{ id: string; name: string; starts_on: string; ends_on: string }>(
    'SELECT id, name, starts_on::text, ends_on::text FROM trips WHERE id = ANY($1::uuid[])',
    [[...new Set(ids.map((i) => splitId(i)[0]))]],
  );
  const trip = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, Content>();
  for (const id of ids) {
    const r = trip.get(splitId(id)[0]);
    if (r)
      out.set(id, {
        title: `Trip: ${r.name}`,
        author: null,
        text: `On the trip “${r.name}”, ${between(r.starts_on, r.ends_on)}.`,
        people: [],
      });
  }
  return out;
};

export const contactDetails: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    name: string;
    legal: string | null;
    addresses: Buffer | null;
    phones: Buffer | null;
    emails: Buffer | null;
  }>(
    `SELECT id, concat_ws(' ', title, first_name, last_name) AS name,
       nullif(concat_ws(' ', legal_first_name, legal_last_name), '') AS legal,
       addresses, phones, emails FROM contacts WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const flat = (v: unknown): string =>
    v !== null && typeof v === 'object'
      ? Object.values(v).map(flat).filter(Boolean).join(', ')
      : typeof v === 'string' || typeof v === 'number'
        ? String(v)
        : '';
  const list = (
    c: 'contacts.addresses' | 'contacts.phones' | 'contacts.emails',
    id: string,
    v: Buffer | null,
  ) => {
    const xs = v ? s.openJson<unknown>(c, id, v) : [];
    return Array.isArray(xs) ? xs.map(flat).filter(Boolean).join('; ') : flat(xs);
  };
  return byId(rows, (r) => ({
    title: 'Contact details held for the requester',
    author: MIS,
    text: lines([
      ['Name', r.name],
      ['Legal name', r.legal],
      ['Addresses', list('contacts.addresses', r.id, r.addresses)],
      ['Telephone', list('contacts.phones', r.id, r.phones)],
      ['Email', list('contacts.emails', r.id, r.emails)],
    ]),
    people: [],
  }));
};
