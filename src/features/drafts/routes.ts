// Drafts (issue 14): any signed-in member's own unsaved writing, at either tier (a teacher logs a
// concern with a password alone; a DSL whose records window has ended must not lose a note). A
// member only ever reaches their own drafts: every query is by the acting member (service.ts).
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import type { Services } from '../../platform/services.ts';
import { responses } from '../../shared/schemas/common.ts';
import { DraftAnswer, DraftParams, DraftSaved, SaveDraft } from '../../shared/schemas/drafts.ts';
import { discardDraft, readDraft, saveDraft } from './service.ts';

const Discard = Type.Object(
  {
    /** Why: the form was saved as a record, or the person threw the draft away. */
    why: Type.Union([Type.Literal('saved'), Type.Literal('discarded')]),
  },
  { additionalProperties: false },
);

export function registerDraftRoutes(app: App, _services: Services): void {
  app.get(
    '/api/drafts/:form',
    {
      schema: {
        tags: ['drafts'],
        summary: 'My draft of a form, if I have one',
        params: DraftParams,
        response: responses({ 200: DraftAnswer }),
      },
    },
    async (req) => ctx(req).tx((t) => readDraft(t, req.params.form)),
  );

  app.put(
    '/api/drafts/:form',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Keep what I have typed so far in a form',
        params: DraftParams,
        body: SaveDraft,
        response: responses({ 200: DraftSaved }),
      },
    },
    async (req) => ctx(req).tx((t) => saveDraft(t, req.params.form, req.body.fields)),
  );

  app.post(
    '/api/drafts/:form/discard',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Delete my draft of a form (saved, or thrown away)',
        params: DraftParams,
        body: Discard,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await ctx(req).tx((t) => discardDraft(t, req.params.form, req.body.why));
      return reply.status(204).send(null);
    },
  );
}
