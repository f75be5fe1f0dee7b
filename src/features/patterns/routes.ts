// Patterns about pupils (issue 20): the rules and their recent signals, and the pupils whose
// records are rising — the DSL team's (`case.manage`, elevated), each read audited.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx } from '../../core/context.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import { responses } from '../../shared/schemas/common.ts';
import { Patterns, PatternRulesBody, RisingPupils } from '../../shared/schemas/patterns.ts';
import { readPatterns, risingPupils, saveRules } from './service.ts';

export function registerPatternRoutes(app: App, _services: Services): void {
  const tags = ['patterns'];
  app.get(
    '/api/patterns',
    {
      schema: {
        tags,
        summary: "The school's pattern rules and the latest pupils they signalled",
        response: responses({ 200: Patterns }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'case.manage');
      return c.tx(readPatterns);
    },
  );

  app.put(
    '/api/patterns/rules',
    {
      schema: {
        tags,
        summary: "Replace the school's pattern rules (at most 10)",
        body: PatternRulesBody,
        response: responses({ 200: Patterns }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'case.manage');
      return c.tx(async (t) => {
        await saveRules(t, req.body.rules);
        return readPatterns(t);
      });
    },
  );

  app.get(
    '/api/patterns/rising',
    {
      schema: {
        tags,
        summary: 'Pupils with more records in the last 30 days than in the 30 before',
        response: responses({ 200: RisingPupils }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireAbility(c.actor, 'case.manage');
      return c.tx((t) => risingPupils(t));
    },
  );
}
