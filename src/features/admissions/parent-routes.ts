// Admission forms, the parent's side (issue 21): behind the parents' door (`parent: true`), each
// route names the child, which `t.child` answers only for this parent's own (404 "No such child."
// otherwise, audited by the door). A form id that is not this child's answers 404 too, audited
// here with the save and submit refusals (a code the MIS does not know, a second submission).
import type { App } from '../../core/feature.ts';
import { parentCtx, type ParentContext } from '../../core/parent-context.ts';
import { responses } from '../../shared/schemas/common.ts';
import { ChildParams } from '../../shared/schemas/parents.ts';
import {
  ChildRequestParams,
  ParentAdmissionForm,
  ParentAdmissionList,
  SaveAnswers,
} from '../../shared/admissions.ts';
import { formsForChild, readForParent, saveAnswers } from './answers.ts';
import { auditingRefusals, type AdmissionAttempt } from './refusals.ts';

const PARENT = { parent: true } as const;
const tags = ['parents'];

/** The door audits a refused child itself; everything else refused here is audited here. */
const refusing = <T>(
  c: ParentContext,
  attempt: AdmissionAttempt,
  target: string,
  work: () => Promise<T>,
) => auditingRefusals((fn) => c.tx(fn), attempt, target, work, ['no_such_child']);

export function registerParentAdmissionRoutes(app: App): void {
  app.get(
    '/api/parent/children/:pupilId/admissions',
    {
      config: PARENT,
      schema: {
        tags,
        summary: 'The admission forms the school sent for this child',
        params: ChildParams,
        response: responses({ 200: ParentAdmissionList }),
      },
    },
    async (req) =>
      parentCtx(req).tx(async (t) => {
        const child = await t.child(req.params.pupilId);
        return formsForChild(t, child.pupilId, t.parent.contactId);
      }),
  );

  app.get(
    '/api/parent/children/:pupilId/admissions/:requestId',
    {
      config: PARENT,
      schema: {
        tags,
        summary: 'One admission form with the answers saved so far',
        params: ChildRequestParams,
        response: responses({ 200: ParentAdmissionForm }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      return refusing(c, 'open', req.params.requestId, () =>
        c.tx(async (t) => {
          const child = await t.child(req.params.pupilId);
          return readForParent(t, req.params.requestId, [child.pupilId], t.parent.contactId);
        }),
      );
    },
  );

  app.put(
    '/api/parent/children/:pupilId/admissions/:requestId',
    {
      config: PARENT,
      schema: {
        tags,
        summary: 'Save the answers (to come back to), or send the form to the school (once)',
        params: ChildRequestParams,
        body: SaveAnswers,
        response: responses({ 200: ParentAdmissionForm }),
      },
    },
    async (req) => {
      const c = parentCtx(req);
      return refusing(c, req.body.submit ? 'submit' : 'save', req.params.requestId, () =>
        c.tx(async (t) => {
          const child = await t.child(req.params.pupilId);
          return saveAnswers(
            t,
            req.params.requestId,
            [child.pupilId],
            t.parent.contactId,
            req.body,
          );
        }),
      );
    },
  );
}
