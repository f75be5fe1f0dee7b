// What each gathered item says (issue 17), read from its source record every time it is needed —
// the workbench, the review and the pack all read the same words — so no copy of record text is
// kept beside the record (sealed text is opened here only). The text of one item is built the
// same way each time, so a redaction's offsets keep their meaning while the record is unchanged.
// `people` are the others in the item the handler is offered to redact: other pupils with their
// roles, the subject's contacts, and staff when the school's policy says so.
import type { Tx } from '../../../core/context.ts';
import type { ItemSource } from '../../../shared/schemas/subject-access.ts';
import { contacts, misEvents, misRecords } from './content-mis.ts';
import { audits } from './content-audit.ts';
import * as more from './content-more.ts';
import * as pupil from './content-pupil.ts';
import { words, type Content, type Reader } from './content-types.ts';

export type { Content, Person } from './content-types.ts';
export { redactsStaff } from './content-audit.ts';

export type ItemRef = { id: string; source: ItemSource; source_id: string; pupil_id: string };

/** Said of an item whose record was destroyed (the retention schedule) after it was gathered. */
export const GONE: Content = {
  title: 'Record no longer held',
  author: null,
  text: 'This record was destroyed after it was gathered; it is not part of the response.',
  people: [],
};

const concerns: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    body: Buffer;
    author: string;
    cats: string[];
    pupils: { name: string; role: string; id: string }[];
  }>(
    `SELECT c.id, c.body, u.name AS author,
       coalesce((SELECT array_agg(k.name ORDER BY k.sort_order) FROM concern_categories cc
                 JOIN categories k ON k.id = cc.category_id WHERE cc.concern_id = c.id),
                '{}') AS cats,
       coalesce((SELECT json_agg(json_build_object('id', p.id, 'role', cp.role,
                   'name', coalesce(p.preferred_name, p.first_name) || ' ' || p.last_name)
                   ORDER BY p.last_name, p.first_name)
                 FROM concern_pupils cp JOIN pupils p ON p.id = cp.pupil_id
                 WHERE cp.concern_id = c.id), '[]'::json) AS pupils
     FROM concerns c JOIN users u ON u.id = c.author_id WHERE c.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: `Concern${r.cats.length > 0 ? `: ${r.cats.join(', ')}` : ''}`,
        author: r.author,
        authorIsStaff: true,
        text: s.open('concerns.body', r.id, r.body),
        people: [
          ...r.pupils.map((p) => ({
            name: p.name,
            kind: 'pupil' as const,
            role: words(p.role),
            pupilId: p.id,
          })),
          { name: r.author, kind: 'staff' as const, role: 'author' },
        ],
      },
    ]),
  );
};

const actions: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    type: string;
    text: Buffer;
    outcome: Buffer | null;
    author: string;
  }>(
    `SELECT a.id, a.type, a.text, a.outcome, u.name AS author
     FROM actions a JOIN users u ON u.id = a.created_by WHERE a.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => {
      const outcome = r.outcome ? s.open('actions.outcome', r.id, r.outcome) : null;
      const text = s.open('actions.text', r.id, r.text);
      return [
        r.id,
        {
          title: `Action (${words(r.type)})`,
          author: r.author,
          authorIsStaff: true,
          text: outcome ? `${text}\nOutcome: ${outcome}` : text,
          people: [{ name: r.author, kind: 'staff', role: 'author' }],
        },
      ];
    }),
  );
};

const referrals: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    agency: string;
    details: Buffer | null;
    reference: Buffer | null;
    contact: Buffer | null;
    author: string;
  }>(
    `SELECT r.id, g.name AS agency, r.details, r.reference, r.contact, u.name AS author
     FROM referrals r JOIN referral_agencies g ON g.id = r.agency_id
     JOIN users u ON u.id = r.created_by WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => {
      const open = (
        c: 'referrals.details' | 'referrals.reference' | 'referrals.contact',
        v: Buffer | null,
      ) => (v ? s.open(c, r.id, v) : null);
      const ref = open('referrals.reference', r.reference);
      const contact = open('referrals.contact', r.contact);
      return [
        r.id,
        {
          title: `Referral to ${r.agency}`,
          author: r.author,
          authorIsStaff: true,
          text: [
            open('referrals.details', r.details),
            ref && `Reference: ${ref}`,
            contact && `Contact: ${contact}`,
          ]
            .filter(Boolean)
            .join('\n'),
          people: [{ name: r.author, kind: 'staff', role: 'author' }],
        },
      ];
    }),
  );
};

const conversations: Reader = async (t, s, ids) => {
  const rows = await t.q<{ id: string; with_whom: string; text: Buffer; author: string }>(
    `SELECT v.id, v.with_whom, v.text, u.name AS author
     FROM conversations v JOIN users u ON u.id = v.author_id WHERE v.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: `Conversation with ${words(r.with_whom)}`,
        author: r.author,
        authorIsStaff: true,
        text: s.open('conversations.text', r.id, r.text),
        people: [{ name: r.author, kind: 'staff', role: 'author' }],
      },
    ]),
  );
};

const caseEvents: Reader = async (t, s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    outcome: Buffer | null;
    rationale: Buffer | null;
    author: string;
  }>(
    `SELECT e.id, e.kind, e.outcome, e.rationale, u.name AS author
     FROM case_events e JOIN users u ON u.id = e.by_id WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => {
      const outcome = r.outcome ? s.open('case_events.outcome', r.id, r.outcome) : null;
      const why = r.rationale ? s.open('case_events.rationale', r.id, r.rationale) : null;
      return [
        r.id,
        {
          title: `Case ${words(r.kind)}`,
          author: r.author,
          authorIsStaff: true,
          text: [outcome && `Outcome: ${outcome}`, why && `Rationale: ${why}`]
            .filter(Boolean)
            .join('\n'),
          people: [{ name: r.author, kind: 'staff', role: 'author' }],
        },
      ];
    }),
  );
};

const alerts: Reader = async (t, _s, ids) => {
  const rows = await t.q<{
    id: string;
    kind: string;
    target_type: string;
    to: string;
    ack: Date | null;
  }>(
    `SELECT a.id, a.kind, a.target_type, u.name AS to, a.acknowledged_at AS ack
     FROM alerts a JOIN users u ON u.id = a.recipient_id WHERE a.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: `Alert: ${words(r.kind)}`,
        author: 'Lantern',
        text: `An alert about a ${words(r.target_type)} was sent to ${r.to}${r.ack ? `, acknowledged ${r.ack.toISOString().slice(0, 10)}` : ''}.`,
        people: [{ name: r.to, kind: 'staff', role: 'recipient' }],
      },
    ]),
  );
};

const attachments: Reader = async (t, s, ids) => {
  const rows = await t.q<{ id: string; name: Buffer; mime: string; size: number }>(
    'SELECT id, name, mime, size_bytes AS size FROM attachments WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        title: 'Attachment',
        author: null,
        text: `${s.open('attachments.name', r.id, r.name)} (${r.mime}, ${Math.ceil(r.size / 1024)} KB). The file itself is listed here: a copy is provided on request.`,
        people: [],
      },
    ]),
  );
};

const READERS: Record<ItemSource, Reader> = {
  concern: concerns,
  action: actions,
  referral: referrals,
  conversation: conversations,
  case_event: caseEvents,
  mis_event: misEvents,
  mis_record: misRecords,
  contacts,
  alert: alerts,
  audit: audits,
  attachment: attachments,
  flag: pupil.flags,
  sen: pupil.sen,
  attendance: pupil.attendance,
  medical: more.medical,
  medical_plan: more.medicalPlans,
  transfer_received: more.transfersReceived,
  contact_restriction: more.contactRestrictions,
  consent: more.consents,
  admission: more.admissions,
  trip: more.trips,
  contact_details: more.contactDetails,
};

/** Each item's content, by item id (GONE when its record no longer exists). */
export async function readContents(
  t: Tx,
  items: readonly ItemRef[],
): Promise<Map<string, Content>> {
  const sealer = await t.sealer();
  const out = new Map<string, Content>();
  for (const source of Object.keys(READERS) as ItemSource[]) {
    const mine = items.filter((i) => i.source === source);
    if (mine.length === 0) continue;
    const found = await READERS[source](t, sealer, [...new Set(mine.map((i) => i.source_id))]);
    for (const i of mine) out.set(i.id, found.get(i.source_id) ?? GONE);
  }
  return out;
}
