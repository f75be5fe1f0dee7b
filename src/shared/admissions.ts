// Request and response schemas of admission forms and the MIS write-back (issue 21), for the
// server's routes and the web app alike. A question names an MIS field of src/shared/cbds.ts.
import { Type, type Static } from 'typebox';
import { Uuid } from './schemas/common.ts';
import { MIS_FIELD_KEYS, type AnswerValue, type MisFieldKey } from './cbds.ts';

const FieldKey = Type.Unsafe<MisFieldKey>(Type.Union(MIS_FIELD_KEYS.map((k) => Type.Literal(k))));
export const INTAKES = ['nursery', 'reception', 'in_year'] as const;
export type Intake = (typeof INTAKES)[number];
const IntakeT = Type.Unsafe<Intake>(Type.Union(INTAKES.map((k) => Type.Literal(k))));

export const Question = Type.Object(
  { field: FieldKey, required: Type.Boolean() },
  { additionalProperties: false },
);
export type Question = Static<typeof Question>;

export const NewAdmissionForm = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    intake: IntakeT,
    questions: Type.Array(Question, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type NewAdmissionForm = Static<typeof NewAdmissionForm>;

/** Chosen pupils, or a whole intake: every pupil on roll in a year group as the MIS names it. */
export const SendForm = Type.Object(
  {
    pupilIds: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
    yearGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  },
  { additionalProperties: false },
);
export type SendForm = Static<typeof SendForm>;

export const RequestStatus = Type.Union([
  Type.Literal('sent'),
  Type.Literal('in_progress'),
  Type.Literal('submitted'),
]);
export type RequestStatus = Static<typeof RequestStatus>;

export const AdmissionFormSummary = Type.Object({
  id: Uuid,
  title: Type.String(),
  intake: IntakeT,
  questions: Type.Array(Question),
  createdAt: Type.String({ format: 'date-time' }),
  sent: Type.Integer(),
  submitted: Type.Integer(),
});
export const AdmissionFormList = Type.Object({ items: Type.Array(AdmissionFormSummary) });
export type AdmissionFormList = Static<typeof AdmissionFormList>;

export const RequestAction = Type.Union([Type.Literal('review')]);
export const AdmissionRequestRow = Type.Object({
  id: Uuid,
  pupilId: Uuid,
  pupilName: Type.String(),
  status: RequestStatus,
  sentAt: Type.String({ format: 'date-time' }),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  undecided: Type.Integer(),
  allowed: Type.Array(RequestAction),
});
export const AdmissionFormDetail = Type.Object({
  form: AdmissionFormSummary,
  requests: Type.Array(AdmissionRequestRow),
});
export type AdmissionFormDetail = Static<typeof AdmissionFormDetail>;

export const ContactAnswerT = Type.Object(
  {
    forename: Type.String({ maxLength: 100 }),
    surname: Type.String({ maxLength: 100 }),
    relationship: Type.String({ maxLength: 10 }),
    parentalResponsibility: Type.Boolean(),
    telephone: Type.String({ maxLength: 40 }),
    email: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const AnswerValueT = Type.Unsafe<AnswerValue>(
  Type.Union([Type.String({ maxLength: 2000 }), ContactAnswerT]),
);
/** Answers by field key; a field left out is unanswered. */
export const Answers = Type.Unsafe<Partial<Record<MisFieldKey, AnswerValue>>>(
  Type.Record(Type.String({ maxLength: 60 }), AnswerValueT),
);
export type Answers = Partial<Record<MisFieldKey, AnswerValue>>;

/** A parent saves (and may submit) their answers. */
export const SaveAnswers = Type.Object(
  { answers: Answers, submit: Type.Boolean() },
  { additionalProperties: false },
);
export type SaveAnswers = Static<typeof SaveAnswers>;

/** A form as the parent sees it: the questions and their own answers, nothing of the review. */
export const ParentAdmissionForm = Type.Object({
  id: Uuid,
  title: Type.String(),
  pupilId: Uuid,
  pupilName: Type.String(),
  questions: Type.Array(Question),
  answers: Answers,
  status: RequestStatus,
  savedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ParentAdmissionForm = Static<typeof ParentAdmissionForm>;
/** A form in the parent's list: what it is and where it stands, never the answers. */
export const ParentAdmissionSummary = Type.Object({
  id: Uuid,
  title: Type.String(),
  status: RequestStatus,
  sentAt: Type.String({ format: 'date-time' }),
  savedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ParentAdmissionSummary = Static<typeof ParentAdmissionSummary>;
export const ParentAdmissionList = Type.Object({ items: Type.Array(ParentAdmissionSummary) });
export type ParentAdmissionList = Static<typeof ParentAdmissionList>;

export const Decision = Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]);
export type Decision = Static<typeof Decision>;
export const FieldAction = Type.Union([Type.Literal('accept'), Type.Literal('reject')]);
export type FieldAction = Static<typeof FieldAction>;
const Shown = Type.Union([Type.String(), Type.Null()]);

/** One field's difference: what the MIS holds now, held when sent, and the parent's answer. */
export const FieldDifference = Type.Object({
  field: FieldKey,
  label: Type.String(),
  misNow: Shown,
  misWhenSent: Shown,
  answer: Shown,
  changed: Type.Boolean(),
  /** The MIS changed this field after the form went out: decide it explicitly. */
  conflict: Type.Boolean(),
  /** Another parent with parental responsibility sent a different answer: staff choose. */
  disagreement: Type.Boolean(),
  decision: Type.Union([Decision, Type.Null()]),
  /** Internal: never sent to a parent. */
  reason: Type.Union([Type.String(), Type.Null()]),
  allowed: Type.Array(FieldAction),
});
export type FieldDifference = Static<typeof FieldDifference>;
/**
 * One parent's copy of the form: every parent with parental responsibility fills their own. Its
 * fields are shown only once that parent has sent it (a copy still being filled stays theirs).
 */
export const ParentResponse = Type.Object({
  contactId: Uuid,
  parentName: Type.String(),
  status: RequestStatus,
  /** Restricted by the DSL since the form went out: answers shown, none accepted for the MIS. */
  restricted: Type.Boolean(),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  fields: Type.Array(FieldDifference),
});
export type ParentResponse = Static<typeof ParentResponse>;
export const AdmissionReview = Type.Object({
  id: Uuid,
  formTitle: Type.String(),
  pupilName: Type.String(),
  status: RequestStatus,
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  parents: Type.Array(ParentResponse),
});
export type AdmissionReview = Static<typeof AdmissionReview>;

export const DecideField = Type.Object(
  {
    /** Whose answer: the MIS contact id of the parent who sent it. */
    contactId: Uuid,
    field: FieldKey,
    decision: Decision,
    /** Internal reason for a rejection: kept from the parent. */
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    /** Required for a field in conflict: the member has seen the MIS changed it since sending. */
    conflictResolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type DecideField = Static<typeof DecideField>;

export const WritebackRow = Type.Object({
  id: Uuid,
  pupilName: Type.String(),
  field: FieldKey,
  label: Type.String(),
  value: Type.String(),
  queuedAt: Type.String({ format: 'date-time' }),
});
export const WritebackQueue = Type.Object({
  pending: Type.Array(WritebackRow),
  exports: Type.Array(
    Type.Object({
      id: Uuid,
      exportedAt: Type.String({ format: 'date-time' }),
      rows: Type.Integer(),
      sha256: Type.String(),
    }),
  ),
  allowed: Type.Array(Type.Literal('export')),
});
export type WritebackQueue = Static<typeof WritebackQueue>;

export const WritebackFile = Type.Object({
  id: Uuid,
  filename: Type.String(),
  rows: Type.Integer(),
  sha256: Type.String(),
  csv: Type.String(),
});
export type WritebackFile = Static<typeof WritebackFile>;

export const ChildRequestParams = Type.Object({
  pupilId: Type.String({ maxLength: 64 }),
  requestId: Uuid,
});
