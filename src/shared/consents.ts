// Request and response schemas of consent forms (issue 21): versioned texts (each with its
// SHA-256), answers bound to one version, per parent with parental responsibility.
import { Type, type Static } from 'typebox';
import { Uuid } from './schemas/common.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
/** A date sent in: a real calendar day (2026-13-45 is refused with a 400, not a 500). */
const CalendarDay = Type.String({ format: 'date' });
const When = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) =>
  Type.Union([s, Type.Null()]);

export const ANSWERS = ['given', 'refused', 'withdrawn'] as const;
export type ConsentAnswerKind = (typeof ANSWERS)[number];
const AnswerKind = Type.Unsafe<ConsentAnswerKind>(Type.Union(ANSWERS.map((a) => Type.Literal(a))));

/** What a pupil's consent on one form comes to, from its parents' answers to the current version. */
export const CONSENT_STATES = [
  'given',
  'refused',
  'disagreement',
  'unanswered',
  'withdrawn_form',
] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];
const State = Type.Unsafe<ConsentState>(Type.Union(CONSENT_STATES.map((a) => Type.Literal(a))));

export const NewConsentForm = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ minLength: 1, maxLength: 20000 }),
    validFrom: Type.Optional(CalendarDay),
    validUntil: Type.Optional(CalendarDay),
    pupilIds: Type.Array(Uuid, { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type NewConsentForm = Static<typeof NewConsentForm>;

export const NewConsentVersion = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20000 }),
    validFrom: Type.Optional(CalendarDay),
    validUntil: Type.Optional(CalendarDay),
  },
  { additionalProperties: false },
);
export type NewConsentVersion = Static<typeof NewConsentVersion>;

export const AddPupils = Type.Object(
  { pupilIds: Type.Array(Uuid, { minItems: 1, maxItems: 2000 }) },
  { additionalProperties: false },
);

export const ConsentVersion = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  text: Type.String(),
  sha256: Type.String(),
  publishedAt: When,
  validFrom: Day,
  validUntil: Nullable(Day),
  supersededAt: Nullable(When),
  withdrawnAt: Nullable(When),
});
export type ConsentVersion = Static<typeof ConsentVersion>;

export const ConsentFormAction = Type.Union([
  Type.Literal('new_version'),
  Type.Literal('withdraw'),
  Type.Literal('add_pupils'),
]);
export const ConsentFormSummary = Type.Object({
  id: Uuid,
  title: Type.String(),
  current: Nullable(ConsentVersion),
  pupils: Type.Integer(),
  disagreements: Type.Integer(),
  allowed: Type.Array(ConsentFormAction),
});
export const ConsentFormList = Type.Object({ items: Type.Array(ConsentFormSummary) });
export type ConsentFormList = Static<typeof ConsentFormList>;

/** One answer event, as staff read it. */
export const ConsentAnswerView = Type.Object({
  contactId: Uuid,
  contactName: Type.String(),
  version: Type.Integer(),
  answer: AnswerKind,
  note: Nullable(Type.String()),
  answeredAt: When,
});
export const PupilConsentRow = Type.Object({
  pupilId: Uuid,
  pupilName: Type.String(),
  state: State,
  /** Every answer to every version, oldest first: nothing is overwritten. */
  answers: Type.Array(ConsentAnswerView),
});
export const ConsentFormDetail = Type.Object({
  form: ConsentFormSummary,
  versions: Type.Array(ConsentVersion),
  pupils: Type.Array(PupilConsentRow),
});
export type ConsentFormDetail = Static<typeof ConsentFormDetail>;

/** A parent's answer to one version for one child. */
export const AnswerConsent = Type.Object(
  {
    versionId: Uuid,
    pupilId: Uuid,
    answer: AnswerKind,
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type AnswerConsent = Static<typeof AnswerConsent>;

/** A consent question as a parent sees it: the current text and their own latest answer. */
export const ParentConsent = Type.Object({
  formId: Uuid,
  title: Type.String(),
  versionId: Uuid,
  version: Type.Integer(),
  text: Type.String(),
  sha256: Type.String(),
  pupilId: Uuid,
  pupilName: Type.String(),
  myAnswer: Nullable(AnswerKind),
  answeredAt: Nullable(When),
  /** The parent's answers to earlier versions, kept. */
  earlier: Type.Array(
    Type.Object({ version: Type.Integer(), answer: AnswerKind, answeredAt: When }),
  ),
});
export type ParentConsent = Static<typeof ParentConsent>;
export const ParentConsentList = Type.Object({ items: Type.Array(ParentConsent) });
export type ParentConsentList = Static<typeof ParentConsentList>;

/** What currentConsents answers for each pupil and form (for trip cards). */
export type CurrentConsent = {
  pupilId: string;
  formId: string;
  title: string;
  version: number;
  sha256: string;
  state: ConsentState;
  answers: { contactId: string; answer: ConsentAnswerKind; answeredAt: string }[];
};

/** A parent's answer for the child named in the path. */
export const ParentAnswerConsent = Type.Object(
  {
    versionId: Uuid,
    answer: AnswerKind,
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ParentAnswerConsent = Static<typeof ParentAnswerConsent>;
