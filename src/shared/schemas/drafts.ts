// Drafts (issue 14: nothing typed is ever lost): what a member is still writing in a long form,
// kept on the server while they type. A form is named by a short key the web app chooses
// ("concern-new", "conversation-<pupil id>"): never words a person typed, since it is in the URL.
import { Type, type Static } from 'typebox';

/** The longest a draft's fields may be, as JSON text: a concern's text and room around it. */
export const MAX_DRAFT_CHARS = 60_000;

export const DraftForm = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,99}$',
  description: 'The form the draft belongs to, as the web app names it ("concern-new")',
});

export const DraftParams = Type.Object({ form: DraftForm }, { additionalProperties: false });

/** The form's fields as the web app keeps them: its own shape, kept whole and given back. */
export const DraftFields = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }),
  Type.Unknown(),
  {
    maxProperties: 40,
  },
);
export type DraftFields = Static<typeof DraftFields>;

export const SaveDraft = Type.Object({ fields: DraftFields }, { additionalProperties: false });
export type SaveDraft = Static<typeof SaveDraft>;

export const DraftSaved = Type.Object({ savedAt: Type.String({ format: 'date-time' }) });
export type DraftSaved = Static<typeof DraftSaved>;

/** The member's own draft of that form, or null when there is none. */
export const DraftAnswer = Type.Object({
  draft: Type.Union([
    Type.Object({ fields: DraftFields, savedAt: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
});
export type DraftAnswer = Static<typeof DraftAnswer>;
