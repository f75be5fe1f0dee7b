// Consent forms, the parent's side (issue 21): behind the parents' door, naming the child, which
// `t.child` answers only for this parent's own. Each parent with parental responsibility answers
// for themselves (their MIS contact); an answer to a superseded or withdrawn version is refused
// (409) and audited, as is any other refusal but the door's own "No such child."
import type { App } from '../../core/feature.ts';
import { parentCtx } from '../../core/parent-context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { ChildParams } from '../../shared/schemas/parents.ts';
import { ParentAnswerConsent, ParentConsentList } from '../../shared/consents.ts';
import { answerConsent, consentsForParent } from './answers.ts';
import { auditingConsentRefusals } from './refusals.ts';

const PARENT = { parent: true } as const;
const tags = ['parents'];

export function registerParentConsentRoutes(app: App): void {
  app.get(
    '/api/parent/children/:pupilId/consents',
    {
      config: PARENT,
      schema: {
        tags,
        summary: 'The consent forms to answer for this child, with the parent’s own answers',
        params: ChildParams,
        response: responses({ 200: ParentConsentList }),
      },
    },
    async (req) =>
      parentCtx(req).tx(async (t) => {
        const child = await t.child(req.params.pupilId);
        return consentsForParent(t, [child.pupilId], t.parent.contactId);
      }),
  );

  app.post(
    '/api/parent/children/:pupilId/consents',
    {
      config: PARENT,
      schema: {
        tags,
        summary: 'Give, refuse or withdraw consent to one version of a form, for this child',
        params: ChildParams,
        body: ParentAnswerConsent,
        response: responses({ 200: ParentConsentList }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      return auditingConsentRefusals(
        (fn) => c.tx(fn),
        'answer',
        undefined,
        () =>
          c.tx(async (t) => {
            const child = await t.child(req.params.pupilId);
            await answerConsent(t, [child.pupilId], t.parent.contactId, {
              ...req.body,
              pupilId: child.pupilId,
            });
            return consentsForParent(t, [child.pupilId], t.parent.contactId);
          }),
        ['no_such_child'],
      );
    },
  );
}
