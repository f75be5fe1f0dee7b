// What a feature is to the house: a name and the routes it registers. `src/features.ts` lists
// every feature once; `src/http/app.ts` registers them. A feature never imports that list back.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../platform/services.ts';

/** The application a feature's routes are registered on (Fastify with TypeBox schemas). */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type Feature = {
  /** The folder under src/features/ that holds it. */
  name: string;
  routes(app: App, services: Services): void | Promise<void>;
};
