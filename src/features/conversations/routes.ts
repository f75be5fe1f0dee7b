// Recording a meeting or conversation with parents, carers or the child: the DSL team's work,
// so it needs `case.manage` like cases and referrals (caseManager).
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { responses } from '../../shared/schemas/common.ts';
import { ConversationCreated, NewConversation } from '../../shared/schemas/conversations.ts';
import { caseManager } from '../cases/policy.ts';
import { createConversation } from './service.ts';

export function registerConversationRoutes(app: App, _services: Services): void {
  app.post(
    '/api/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Record a meeting or conversation with parents, carers or the child',
        body: NewConversation,
        response: responses({ 201: ConversationCreated }),
      },
    },
    async (req, reply) => {
      const id = await caseManager(req).tx((t) => createConversation(t, req.body));
      return reply.status(201).send({ id });
    },
  );
}
