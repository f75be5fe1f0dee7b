// The subject-access workbench's schemas (issue 17): the records gathered for a request, each
// included or excluded with a coded reason, the redactions made in them (each with its reason and,
// for a third party, the ICO's three questions), the second person's review, the packs made and
// the disclosures recorded. The words a reason is printed with live here, so the pack's legend,
// its markers and the page agree.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(xs.map((x) => Type.Literal(x))));
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** Why text is removed from a response (the exemptions and the third-party rule). */
export const REDACTION_REASONS = [
  'third_party',
  'child_abuse_data',
  'serious_harm',
  'crime',
  'legal_privilege',
  'confidential_reference',
] as const;
export type RedactionReason = (typeof REDACTION_REASONS)[number];
export const REDACTION_REASON_NAMES: Record<RedactionReason, string> = {
  third_party: 'third party',
  child_abuse_data: 'child-abuse data',
  serious_harm: 'serious harm',
  crime: 'crime',
  legal_privilege: 'legal privilege',
  confidential_reference: 'confidential reference',
};
/** What the legend says each code means. */
export const REDACTION_REASON_MEANINGS: Record<RedactionReason, string> = {
  third_party:
    'Information about another person, withheld because they have not consented and disclosure would not be reasonable (DPA 2018 Sch. 2 para 16).',
  child_abuse_data:
    'Child-abuse data whose disclosure to a person with parental responsibility would not be in the best interests of the child (DPA 2018 Sch. 3 para 21).',
  serious_harm:
    'Information whose disclosure would be likely to cause serious harm to the physical or mental health of any person (DPA 2018 Sch. 3 para 19).',
  crime:
    'Information processed for the prevention or detection of crime, whose disclosure would be likely to prejudice it (DPA 2018 Sch. 2 para 2).',
  legal_privilege: 'Information covered by legal professional privilege (DPA 2018 Sch. 2 para 19).',
  confidential_reference:
    'A reference given in confidence for education, training or employment (DPA 2018 Sch. 2 para 24).',
};
/** The marker that stands where removed text was: the text itself is never in the pack. */
export const redactionMarker = (r: RedactionReason) => `[redacted: ${REDACTION_REASON_NAMES[r]}]`;

/** Why an item is in (gathered, or confirmed about the subject) or out of the response. */
export const INCLUDE_REASONS = ['gathered', 'about_subject'] as const;
export const EXCLUDE_REASONS = ['not_about_subject', 'duplicate', ...REDACTION_REASONS] as const;
export type ItemReason = (typeof INCLUDE_REASONS)[number] | (typeof EXCLUDE_REASONS)[number];
export const ITEM_REASON_NAMES: Record<ItemReason, string> = {
  gathered: 'Gathered',
  about_subject: 'About the subject',
  not_about_subject: 'Not about the subject',
  duplicate: 'A duplicate of another item',
  third_party: 'Wholly about a third party',
  child_abuse_data: 'Exempt: child-abuse data',
  serious_harm: 'Exempt: serious harm',
  crime: 'Exempt: crime',
  legal_privilege: 'Exempt: legal privilege',
  confidential_reference: 'Exempt: confidential reference',
};

export const ITEM_SOURCES = [
  'concern',
  'action',
  'referral',
  'conversation',
  'case_event',
  'mis_event',
  'mis_record',
  'contacts',
  'alert',
  'audit',
  'attachment',
  'flag',
  'sen',
  'attendance',
  'medical',
  'medical_plan',
  'transfer_received',
  'contact_restriction',
  'consent',
  'admission',
  'trip',
  'contact_details',
] as const;
export type ItemSource = (typeof ITEM_SOURCES)[number];
/** Each source as a category of data (the cover letter's list, the page's labels). */
export const SOURCE_NAMES: Record<ItemSource, string> = {
  concern: 'Safeguarding concerns recorded by staff',
  action: 'Actions taken',
  referral: 'Referrals to other agencies',
  conversation: 'Conversations with the child, family or professionals',
  case_event: 'Safeguarding case records',
  mis_event: 'School history from the MIS (joining, leaving, moves)',
  mis_record: 'Identity, characteristics and address from the MIS',
  contacts: 'Contacts held for the pupil',
  alert: 'Alerts sent to staff about records',
  audit: 'The log of who opened or changed the pupil’s records',
  attachment: 'Documents attached to records (listed)',
  flag: 'Flags on the pupil’s record (child protection plan, child in need, looked after and others)',
  sen: 'Special educational needs and provision',
  attendance: 'Attendance (a summary for each term)',
  medical: 'Medical and care information (conditions, medications, allergies, diet)',
  medical_plan: 'Healthcare and action plans (listed)',
  transfer_received: 'Files received from a previous school',
  contact_restriction: 'Restrictions on contact with the pupil',
  consent: 'Consent answers',
  admission: 'Admission form answers',
  trip: 'School trips',
  contact_details: 'Contact details held for the requester',
};
export const FOUND_AS = [
  'pupil',
  'linked_pupil',
  'contact',
  'named',
  'mis',
  'alert',
  'audit',
  'attachment',
  'requester',
] as const;
export type FoundAs = (typeof FOUND_AS)[number];

export const DISCLOSURE_METHODS = ['post', 'email', 'in_person', 'secure_link'] as const;
export type DisclosureMethod = (typeof DISCLOSURE_METHODS)[number];
export const PACK_FORMATS = ['pdf', 'json', 'csv'] as const;

export const SAR_ACTIONS = ['gather', 'edit', 'ready', 'approve', 'pack', 'disclose'] as const;
export type SarAction = (typeof SAR_ACTIONS)[number];

export const ItemParams = Type.Object({ id: Uuid, itemId: Uuid });
export const RedactionParams = Type.Object({ id: Uuid, redactionId: Uuid });
export const PackParams = Type.Object({ id: Uuid, packId: Uuid, format: lit(PACK_FORMATS) });

export const Gathered = Type.Object({ added: Type.Integer(), total: Type.Integer() });

export const ItemDecision = Type.Object(
  {
    included: Type.Boolean(),
    reason: lit([...INCLUDE_REASONS, ...EXCLUDE_REASONS]),
  },
  { additionalProperties: false },
);
export type ItemDecision = Static<typeof ItemDecision>;

/**
 * A span of an item's text (offsets into the text the workbench showed). `reason` is optional in
 * the schema only so its absence is refused with a message that says what to choose.
 */
export const NewRedaction = Type.Object(
  {
    start: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    end: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    /** The text the handler saw there: refused if the record's text has moved under them. */
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    reason: Type.Optional(lit(REDACTION_REASONS)),
    canRedact: Type.Optional(Type.Boolean()),
    consent: Type.Optional(Type.Boolean()),
    reasonable: Type.Optional(Type.Boolean()),
    /** Redact the same words wherever else they stand in the included items too. */
    everywhere: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewRedaction = Static<typeof NewRedaction>;
export const RedactionsMade = Type.Object({ ids: Type.Array(Uuid) });

export const Redaction = Type.Object({
  id: Uuid,
  start: Type.Integer(),
  end: Type.Integer(),
  reason: lit(REDACTION_REASONS),
  thirdParty: OrNull(
    Type.Object({ canRedact: Type.Boolean(), consent: Type.Boolean(), reasonable: Type.Boolean() }),
  ),
  /** The text it covered has changed in the record: redact again. */
  stale: Type.Boolean(),
  /**
   * How many more times the same words stand unredacted in the included items (the check before
   * the pack): each is a place the words would still reach the requester.
   */
  elsewhere: Type.Integer(),
  by: Type.String(),
  at: Type.String(),
});
export type Redaction = Static<typeof Redaction>;

/** Someone else in an item, suggested for redaction where their name stands in its text. */
export const Suggestion = Type.Object({
  name: Type.String(),
  kind: lit(['pupil', 'contact', 'staff'] as const),
  role: OrNull(Type.String()),
  start: Type.Integer(),
  end: Type.Integer(),
});

export const Item = Type.Object({
  id: Uuid,
  source: lit(ITEM_SOURCES),
  foundAs: lit(FOUND_AS),
  role: OrNull(Type.String()),
  happenedAt: Type.String(),
  title: Type.String(),
  author: OrNull(Type.String()),
  text: Type.String(),
  /** The text is a table under these headings: a row a line, cells separated by a tab. */
  columns: Type.Optional(Type.Array(Type.String())),
  /** The actor may not read the record: its title, author, text and suggestions are not sent. */
  heldBack: Type.Boolean(),
  included: Type.Boolean(),
  reason: lit([...INCLUDE_REASONS, ...EXCLUDE_REASONS]),
  redactions: Type.Array(Redaction),
  suggestions: Type.Array(Suggestion),
});
export type Item = Static<typeof Item>;

export const Pack = Type.Object({
  id: Uuid,
  madeAt: Type.String(),
  madeBy: Type.String(),
  pdfSha256: Type.String(),
  jsonSha256: Type.String(),
  csvSha256: Type.String(),
  /** Made from what is approved now (a later change withdraws the approval and so the pack). */
  current: Type.Boolean(),
});
export type Pack = Static<typeof Pack>;

export const Disclosure = Type.Object({
  id: Uuid,
  packId: Uuid,
  recipient: Type.String(),
  method: lit(DISCLOSURE_METHODS),
  disclosedOn: Type.String(),
  sha256: Type.String(),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
});

export const Workbench = Type.Object({
  gatheredAt: OrNull(Type.String()),
  items: Type.Array(Item),
  review: Type.Object({
    readyAt: OrNull(Type.String()),
    readyBy: OrNull(Type.String()),
    approvedAt: OrNull(Type.String()),
    approvedBy: OrNull(Type.String()),
    /** The SHA-256 of the response as shown: the approval sends it back (review finding 5). */
    digest: Type.String(),
  }),
  packs: Type.Array(Pack),
  disclosures: Type.Array(Disclosure),
  allowed: Type.Array(lit(SAR_ACTIONS)),
});
export type Workbench = Static<typeof Workbench>;

/**
 * What gathering still does not read (review finding 4): the cover letter names these as coming
 * separately, where there are any, rather than calling the enclosed copy complete.
 */
export const NOT_GATHERED = [
  'copies of the documents attached to records and of healthcare plans (each is listed in the records)',
  'the sign-in and device records of a parent’s account on the parent portal',
] as const;

/** The approval names the response the approver saw; a different one now is refused (409). */
export const Approval = Type.Object({ digest: Type.String({ minLength: 1, maxLength: 128 }) });
export type Approval = Static<typeof Approval>;

export const PackMade = Type.Object({ id: Uuid, pdfSha256: Type.String() });

export const NewDisclosure = Type.Object(
  {
    packId: Uuid,
    recipient: Type.String({ minLength: 1, maxLength: 500 }),
    method: lit(DISCLOSURE_METHODS),
    disclosedOn: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
);
export type NewDisclosure = Static<typeof NewDisclosure>;

/** The school's subject-access policy (the data-protection page's settings). */
export const SarSettings = Type.Object(
  {
    /** Staff names are suggested for redaction and authors printed as "A member of staff". */
    redactStaffNames: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SarSettings = Static<typeof SarSettings>;
