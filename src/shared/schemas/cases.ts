// Cases: the requests and responses of /api/cases and /api/case-owners, and the vocabularies the
// web app shows (a case's statuses, what a member may do with one).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';
import { Person } from './concerns.ts';
import { ActionView } from './actions.ts';
import { ReferralView } from './referrals.ts';
import { MAX_OUTCOME_LENGTH, MAX_RATIONALE_LENGTH } from '../limits.ts';

/** What may happen to an open action or referral when its case closes (issue 14). */
export const OPEN_WORK_CHOICES = ['complete', 'cancel', 'keep_open'] as const;
export type OpenWorkChoice = (typeof OPEN_WORK_CHOICES)[number];

export const CASE_STATUSES = ['open', 'closed', 'no_further_action'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** What a member may do with a case now (src/features/cases/policy.ts), sent as `allowed`. */
export const CASE_ACTIONS = [
  'edit',
  'close',
  'no_further_action',
  'reopen',
  'add_concern',
  'add_action',
  'add_referral',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

const N = Type.Union([Type.String(), Type.Null()]);

export const CaseEventView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  at: Type.String(),
  by: Person,
  concernId: N,
  owner: Type.Union([Person, Type.Null()], {
    description: 'Owner given (opened, owner_changed).',
  }),
  reviewOn: Type.Union([Type.String(), Type.Null()], {
    description: 'Review date set (opened, review_date_changed); null when none or cleared.',
  }),
  outcome: N,
  rationale: N,
});
export type CaseEventView = Static<typeof CaseEventView>;

export const CaseView = Type.Object({
  id: Type.String(),
  pupil: Person,
  owner: Person,
  status: Type.String(),
  reviewOn: N,
  reviewDue: Type.Boolean({ description: 'Open, and its review date has come.' }),
  openedAt: Type.String(),
  outcome: N,
  rationale: N,
  concernIds: Type.Array(Type.String()),
  /** Its actions and referrals with their state (issue 14), newest first. */
  actions: Type.Array(ActionView),
  referrals: Type.Array(ReferralView),
  events: Type.Array(CaseEventView),
  allowed: Type.Array(
    Type.Unsafe<CaseAction>(Type.Union(CASE_ACTIONS.map((a) => Type.Literal(a)))),
    {
      description:
        'What the current user may do with this case now (src/features/cases/policy.ts).',
    },
  ),
});
export type CaseView = Static<typeof CaseView>;

const ReviewDate = Type.String({ format: 'date' });
// One type list rather than a union: the validator coerces types, and across a union would read
// null as "".
const NullableDate = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date' });

export const NewCase = Type.Object(
  {
    pupilId: Uuid,
    ownerId: Type.Optional(Uuid),
    reviewOn: Type.Optional(ReviewDate),
    concernId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type NewCase = Static<typeof NewCase>;

/** A new owner or review date for an open case (null clears the review date). */
export const CaseChange = Type.Object(
  {
    ownerId: Type.Optional(Uuid),
    reviewOn: Type.Optional(NullableDate),
  },
  { additionalProperties: false },
);
export type CaseChange = Static<typeof CaseChange>;

/** A concern joining a case. */
export const CaseConcern = Type.Object({ concernId: Uuid }, { additionalProperties: false });
export type CaseConcern = Static<typeof CaseConcern>;

/** Closing a case or marking it "no further action": the rules are src/features/cases/rules.ts. */
export const CaseClosure = Type.Object(
  {
    outcome: Type.String({ maxLength: MAX_OUTCOME_LENGTH }),
    rationale: Type.String({ maxLength: MAX_RATIONALE_LENGTH }),
    /**
     * What happens to each action and referral still open (issue 14): completed, cancelled with a
     * reason, or kept open. Required for every open one; applied in the closing transaction.
     */
    openWork: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Type.Union([Type.Literal('action'), Type.Literal('referral')]),
            id: Uuid,
            choice: Type.Unsafe<OpenWorkChoice>(Type.String({ enum: [...OPEN_WORK_CHOICES] })),
            reason: Type.Optional(Type.String({ maxLength: MAX_OUTCOME_LENGTH })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 200 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CaseClosure = Static<typeof CaseClosure>;

export const CaseReopen = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: MAX_RATIONALE_LENGTH }) },
  { additionalProperties: false },
);
export type CaseReopen = Static<typeof CaseReopen>;

/** Staff who may own a case. */
export const CaseOwnerList = Type.Object({ items: Type.Array(Person) });
export type CaseOwnerList = Static<typeof CaseOwnerList>;
