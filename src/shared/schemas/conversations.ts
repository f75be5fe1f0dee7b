// Meetings and conversations with parents, carers and the child: the request and response of
// /api/conversations, and the vocabularies the web app offers (with whom, what was decided).
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

export const WITH_WHOM = ['parent', 'carer', 'child', 'family', 'professional', 'other'] as const;
export type WithWhom = (typeof WITH_WHOM)[number];

export const DECISIONS = [
  'early_help_assessment',
  'referral',
  'monitor',
  'no_further_action',
  'other',
] as const;
export type Decision = (typeof DECISIONS)[number];

export const NewConversation = Type.Object(
  {
    pupilId: Uuid,
    withWhom: Type.Union(WITH_WHOM.map((w) => Type.Literal(w))),
    decision: Type.Optional(Type.Union(DECISIONS.map((d) => Type.Literal(d)))),
    happenedAt: Type.String({ format: 'date-time' }),
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
    concernId: Type.Optional(Uuid),
    caseId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type NewConversation = Static<typeof NewConversation>;

export const ConversationCreated = Type.Object({ id: Type.String() });
export type ConversationCreated = Static<typeof ConversationCreated>;
