// A parent's door to their own child's medical and care profile (issue 21): read it, propose a
// change (it waits for staff to acknowledge), confirm or decline a change the school proposed,
// send a new plan. Every route names the child and asks the parent door's `t.child()` first, so
// another family's child answers 404 "No such child." (audited by the door) and nothing changes.
// The domain functions are the staff routes' own, with the parent's side (policy.ts).
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { parentCtx, type ParentContext, type ParentTx } from '../../core/parent-context.ts';
import { DomainError } from '../../core/errors.ts';
import { ErrorBody, responses } from '../../shared/schemas/common.ts';
import { ChildParams } from '../../shared/schemas/parents.ts';
import { FileBody } from '../../shared/schemas/vault.ts';
import {
  Changed,
  MedicalProfile,
  NewPlan,
  PLAN_MAX_BYTES,
  ProposeEntry,
} from '../../shared/medical.ts';
import { safeDownloadHeaders } from '../vault/file-check.ts';
import type { Side } from './policy.ts';
import { answerEntry, proposeEntry, readProfile } from './profile.ts';
import { addPlan, answerPlan, downloadPlan } from './plans.ts';

const tags = ['parent-medical'];
const config = { parent: true } as const;
const ChangeParams = Type.Object({
  pupilId: Type.String({ maxLength: 64 }),
  changeId: Type.String({ format: 'uuid' }),
});
const parentSide = (t: ParentTx): Side => ({ kind: 'parent', parentId: t.parent.parentId });

/**
 * A change or plan id that is not the parent's child's (another family's, say) is answered 404
 * like an unknown one; the attempt is recorded in its own transaction, since the work rolled back.
 * (A child that is not theirs is recorded by the door itself, as parent.child_refused.)
 */
async function auditingOtherFamilies<T>(
  req: { params: { pupilId: string; changeId: string }; parentContext: ParentContext | null },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'not_found' && err.code !== 'no_such_child') {
      await parentCtx(req).tx((t) =>
        t.audit({
          action: 'medical.change_refused',
          targetType: 'pupil',
          targetId: req.params.pupilId,
          details: { by: 'parent', entry: req.params.changeId, reason: 'not_this_child' },
        }),
      );
    }
    throw err;
  }
}

export function registerParentMedicalRoutes(app: App): void {
  app.get(
    '/api/parent/children/:pupilId/medical',
    {
      config,
      schema: {
        tags,
        summary: "Your child's medical and care profile: what is confirmed and what is waiting",
        params: ChildParams,
        response: responses({ 200: MedicalProfile }),
      },
    },
    async (req) =>
      parentCtx(req).tx(async (t) => {
        const child = await t.child(req.params.pupilId);
        return readProfile(t, parentSide(t), child.pupilId);
      }),
  );

  app.post(
    '/api/parent/children/:pupilId/medical/entries',
    {
      config,
      schema: {
        tags,
        summary: 'Propose a new item, a change or a removal (it waits for the school)',
        params: ChildParams,
        body: ProposeEntry,
        response: responses({ 201: Changed }),
      },
    },
    async (req, reply) => {
      const done = await parentCtx(req).tx(async (t) => {
        const child = await t.child(req.params.pupilId);
        return proposeEntry(t, parentSide(t), child.pupilId, req.body);
      });
      return reply.status(201).send(done);
    },
  );

  for (const [what, table] of [
    ['entries', 'entry'],
    ['plans', 'plan'],
  ] as const) {
    for (const [path, answer] of [
      ['confirm', 'agree'],
      ['decline', 'decline'],
    ] as const) {
      app.post(
        `/api/parent/children/:pupilId/medical/${what}/:changeId/${path}`,
        {
          config,
          schema: {
            tags,
            summary:
              answer === 'agree'
                ? `Confirm a change the school made (the ${table} becomes current)`
                : `Decline a change the school made (the ${table} is kept, marked declined)`,
            params: ChangeParams,
            response: responses({ 200: Changed, 409: ErrorBody }),
          },
        },
        async (req) =>
          auditingOtherFamilies(req, () =>
            parentCtx(req).tx(async (t) => {
              const child = await t.child(req.params.pupilId);
              const fn = table === 'entry' ? answerEntry : answerPlan;
              const { id, state } = await fn(t, parentSide(t), req.params.changeId, answer, [
                child.pupilId,
              ]);
              return { id, state };
            }),
          ),
      );
    }
  }

  app.post(
    '/api/parent/children/:pupilId/medical/plans',
    {
      config,
      bodyLimit: Math.ceil(PLAN_MAX_BYTES * 1.4) + 4096,
      schema: {
        tags,
        summary: 'Send a healthcare or action plan (the document in base64) with its expiry date',
        params: ChildParams,
        body: NewPlan,
        response: responses({ 201: Changed }),
      },
    },
    async (req, reply) => {
      const done = await parentCtx(req).tx(async (t) => {
        const child = await t.child(req.params.pupilId);
        return addPlan(t, parentSide(t), child.pupilId, req.body);
      });
      return reply.status(201).send(done);
    },
  );

  app.get(
    '/api/parent/children/:pupilId/medical/plans/:changeId/file',
    {
      config,
      schema: {
        tags,
        summary: "Download a plan's document (always as a file)",
        params: ChangeParams,
        produces: ['application/octet-stream'],
        response: responses({ 200: FileBody }),
      },
    },
    async (req, reply) => {
      const file = await auditingOtherFamilies(req, () =>
        parentCtx(req).tx(async (t) => {
          const child = await t.child(req.params.pupilId);
          return downloadPlan(t, parentSide(t), req.params.changeId, [child.pupilId]);
        }),
      );
      return reply.headers(safeDownloadHeaders(file.name, file.mime)).send(file.bytes);
    },
  );
}
