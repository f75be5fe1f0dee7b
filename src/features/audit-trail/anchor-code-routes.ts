// The anchor code's routes (issue 20): whether the DPO is emailed each day's code (read by anyone
// with the `audit` ability, chosen only by a holder of the data-protection register), and "Check a
// code" on the audit explorer. Each choice and each check is audited in its transaction.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { can } from '../../core/access/actor.ts';
import { ctx } from '../../core/context.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { responses } from '../../shared/schemas/common.ts';
import {
  AnchorCodeCheck,
  AnchorCodeQuery,
  AnchorEmail,
  AnchorEmailChoice,
} from '../../shared/schemas/audit-trail.ts';
import { requireDataProtection } from '../data-protection/policy.ts';
import {
  anchorCodeChain,
  anchorEmailChosen,
  checkAnchorCode,
  chooseAnchorEmail,
} from './anchor-code.ts';

export function registerAnchorCodeRoutes(app: App, services: Pick<Services, 'db'>): void {
  const tags = ['audit'];
  app.get(
    '/api/audit/anchor-email',
    {
      schema: {
        tags,
        summary: "Whether the school's DPO is emailed each day's audit anchor code",
        response: responses({ 200: AnchorEmail }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      const emailCode = await c.tx(anchorEmailChosen);
      return { emailCode, allowed: can(c.actor, 'data_protection') ? ['change' as const] : [] };
    },
  );

  app.put(
    '/api/audit/anchor-email',
    {
      schema: {
        tags,
        summary: "The DPO chooses whether to be emailed each day's audit anchor code (audited)",
        body: AnchorEmailChoice,
        response: responses({ 200: AnchorEmail }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      requireDataProtection(c.actor);
      await c.tx((t) => chooseAnchorEmail(t, req.body.emailCode));
      return { emailCode: req.body.emailCode, allowed: ['change' as const] };
    },
  );

  app.post(
    '/api/audit/anchor-code/check',
    {
      schema: {
        tags,
        summary:
          'Check an anchor code read back (date, entry number, hash digits) against the trail (audited)',
        body: AnchorCodeQuery,
        response: responses({ 200: AnchorCodeCheck }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'audit');
      const chain = await anchorCodeChain(services.db, c.actor.schoolId, req.body.code);
      return c.tx((t) => checkAnchorCode(t, req.body.code, chain));
    },
  );
}
