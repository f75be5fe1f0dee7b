// The school calendar (issue 18): terms and closed days, read and changed by administrators.
// Thin: the policy first, then one transaction of the service, which audits.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import { ctx } from '../../core/context.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import { Created } from '../../shared/schemas/administration.ts';
import {
  CalendarView,
  ClosedDayParams,
  NewClosedDay,
  NewTerm,
  Removed,
} from '../../shared/schemas/calendar.ts';
import { calendarActions, requireCalendarAdmin } from './policy.ts';
import { addClosedDay, addTerm, readCalendar, removeClosedDay, removeTerm } from './service.ts';

export function registerCalendarRoutes(app: App): void {
  app.get(
    '/api/calendar',
    {
      schema: {
        tags: ['calendar'],
        summary: "The school's terms and closed days (the school days statutory clocks count)",
        response: responses({ 200: CalendarView }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireCalendarAdmin(c.actor);
      return { ...(await c.tx(readCalendar)), allowed: calendarActions(c.actor) };
    },
  );

  app.post(
    '/api/calendar/terms',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Add a term',
        body: NewTerm,
        response: responses({ 201: Created, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireCalendarAdmin(c.actor);
      return reply.status(201).send(await c.tx((t) => addTerm(t, req.body)));
    },
  );

  app.post(
    '/api/calendar/terms/:id/remove',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Remove a term',
        params: IdParams,
        response: responses({ 200: Removed }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireCalendarAdmin(c.actor);
      await c.tx((t) => removeTerm(t, req.params.id));
      return { removed: true as const };
    },
  );

  app.post(
    '/api/calendar/closed-days',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Add a day inside a term the school is closed (a training day, a snow day)',
        body: NewClosedDay,
        response: responses({ 201: Type.Object({ date: Type.String() }), 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireCalendarAdmin(c.actor);
      await c.tx((t) => addClosedDay(t, req.body));
      return reply.status(201).send({ date: req.body.date });
    },
  );

  app.post(
    '/api/calendar/closed-days/:date/remove',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Remove a closed day',
        params: ClosedDayParams,
        response: responses({ 200: Removed }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireCalendarAdmin(c.actor);
      await c.tx((t) => removeClosedDay(t, req.params.date));
      return { removed: true as const };
    },
  );
}
