// Trips and their offline emergency cards (issue 21). Thin: every route asks policy.ts first
// (an elevated session; managing trips asks `parents`); the key's release audits its own
// refusals (cards.ts), which is why that route throws only after its transaction has committed.
import { Type } from 'typebox';
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { ctx, originOf, visitor } from '../../core/context.ts';
import { DomainError } from '../../core/errors.ts';
import { TokenBuckets } from '../mis/token-bucket.ts';
import { ErrorBody, IdParams, responses } from '../../shared/schemas/common.ts';
import {
  BundleInSchool,
  BundleKey,
  BundleStatus,
  CardBundle,
  DeviceEvents,
  EditTrip,
  NewTrip,
  StatusToken,
  TokenDeviceEvents,
  Trip,
  TripEdited,
  TripList,
} from '../../shared/trips.ts';
import { requireTripManager, requireTripMember } from './policy.ts';
import { createTrip, editTrip, leaderChoices, listTrips, readTrip } from './trips.ts';
import {
  bundleStatus,
  bundleStatusByToken,
  downloadCards,
  recordDeviceEvents,
  recordDeviceEventsByToken,
  releaseKey,
  confirmStored,
  revokeBundle,
} from './cards.ts';

const tags = ['trips'];
/** Per bundle, on the public card routes: 30 at once, then one every 10 seconds. */
export const DEVICE_RATE = { burst: 30, refillMs: 10_000 } as const;
const People = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});

export function registerTripRoutes(app: App, services: Services): void {
  app.get(
    '/api/trips',
    {
      schema: {
        tags,
        summary: 'Trips: every trip for those who manage them, otherwise the trips one leads',
        response: responses({ 200: TripList }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripMember(c.actor);
      return c.tx(listTrips);
    },
  );

  app.get(
    '/api/trips/leaders',
    {
      schema: {
        tags,
        summary: 'Members of staff who may lead a trip (names only)',
        response: responses({ 200: People }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripManager(c.actor);
      return c.tx(leaderChoices);
    },
  );

  app.post(
    '/api/trips',
    {
      schema: {
        tags,
        summary: 'Create a trip with its dates, leaders and pupils',
        body: NewTrip,
        response: responses({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireTripManager(c.actor);
      return reply.status(201).send(await c.tx((t) => createTrip(t, req.body)));
    },
  );

  app.get(
    '/api/trips/:id',
    {
      schema: {
        tags,
        summary: 'One trip: its pupils, leaders and the cards downloaded for it',
        params: IdParams,
        response: responses({ 200: Trip }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripMember(c.actor);
      return c.tx((t) => readTrip(t, req.params.id));
    },
  );

  app.put(
    '/api/trips/:id',
    {
      schema: {
        tags,
        summary:
          'Edit a trip (name, dates, leaders, pupils, consent forms) until it ends; revokes the cards downloaded for it',
        params: IdParams,
        body: EditTrip,
        response: responses({ 200: TripEdited, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripManager(c.actor);
      return c.tx((t) => editTrip(t, req.params.id, req.body));
    },
  );

  app.post(
    '/api/trips/:id/cards',
    {
      schema: {
        tags,
        summary: "Download the trip's emergency cards to this device, encrypted (leaders only)",
        params: IdParams,
        response: responses({ 201: CardBundle, 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      const c = ctx(req);
      requireTripMember(c.actor);
      const answer = await c.tx((t) => downloadCards(t, req.params.id));
      if (!answer.ok) throw answer.error;
      return reply.status(201).send(answer.bundle);
    },
  );

  app.post(
    '/api/card-bundles/:id/key',
    {
      schema: {
        tags,
        summary:
          "The key to one's downloaded cards: only after a second factor, before expiry, unrevoked",
        params: IdParams,
        response: responses({ 200: BundleKey, 409: ErrorBody }),
      },
    },
    async (req) => {
      const answer = await ctx(req).tx((t) => releaseKey(t, req.params.id));
      if (!answer.ok) throw answer.error;
      return answer.key;
    },
  );

  app.get(
    '/api/card-bundles/:id/status',
    {
      schema: {
        tags,
        summary: 'Whether downloaded cards may still be opened (the device asks when online)',
        params: IdParams,
        response: responses({ 200: BundleStatus }),
      },
    },
    async (req) => {
      const c = ctx(req);
      return c.tx((t) => bundleStatus(t, req.params.id));
    },
  );

  app.post(
    '/api/card-bundles/:id/stored',
    {
      schema: {
        tags,
        summary:
          "The device has stored these cards: the holder's earlier cards for the trip are revoked",
        params: IdParams,
        response: responses({ 200: BundleStatus, 409: ErrorBody }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripMember(c.actor);
      return c.tx((t) => confirmStored(t, req.params.id));
    },
  );

  app.post(
    '/api/card-bundles/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke downloaded cards: their key is never released again',
        params: IdParams,
        response: responses({ 200: BundleStatus }),
      },
    },
    async (req) => {
      const c = ctx(req);
      requireTripMember(c.actor);
      return c.tx((t) => revokeBundle(t, req.params.id));
    },
  );

  app.post(
    '/api/card-bundles/:id/events',
    {
      schema: {
        tags,
        summary: 'What the device logged offline: cards opened and refusals',
        params: IdParams,
        body: DeviceEvents,
        response: responses({ 200: Type.Object({ recorded: Type.Integer() }) }),
      },
    },
    async (req) => {
      const c = ctx(req);
      return c.tx((t) => recordDeviceEvents(t, req.params.id, req.body));
    },
  );

  // The device's own door (no session): with the token given at download it learns whether its
  // cards were revoked, and sends its offline log, even when nobody is signed in on the phone.
  // Rate-limited per bundle (in process, before any database work): a device asks a few times an
  // hour; the log itself is capped per bundle (cards.ts).
  const perBundle = new TokenBuckets(DEVICE_RATE.burst, DEVICE_RATE.refillMs);
  const limit = (bundleId: string) => {
    const took = perBundle.take(bundleId);
    if (!took.ok) {
      throw new DomainError(
        'too_many_attempts',
        'rate_limited',
        `Too many requests for these cards. Try again in ${took.retryAfterSeconds} seconds.`,
        { retryAfterSeconds: took.retryAfterSeconds },
      );
    }
  };
  app.post(
    '/api/public/schools/:schoolId/card-bundles/:id/status',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Whether downloaded cards may still be opened, asked by the device with its token',
        params: BundleInSchool,
        body: StatusToken,
        response: responses({ 200: BundleStatus, 429: ErrorBody }),
      },
    },
    async (req) => {
      limit(req.params.id);
      return visitor(services, originOf(req)).inSchool(req.params.schoolId, (t) =>
        bundleStatusByToken(t, req.params.id, req.body.token),
      );
    },
  );

  app.post(
    '/api/public/schools/:schoolId/card-bundles/:id/events',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "The device's offline log, sent with its token (recorded once, capped)",
        params: BundleInSchool,
        body: TokenDeviceEvents,
        response: responses({ 200: Type.Object({ recorded: Type.Integer() }), 429: ErrorBody }),
      },
    },
    async (req) => {
      limit(req.params.id);
      return visitor(services, originOf(req)).inSchool(req.params.schoolId, (t) =>
        recordDeviceEventsByToken(t, req.params.id, req.body),
      );
    },
  );
}
