// The MIS feature's routes in one call for src/http/features.ts: push API, MIS administration,
// and the pupil profile with its overrides and restrictions.
import type { App } from '../../http/app.ts';
import type { Services } from '../../platform/services.ts';
import { registerMisRoutes } from './routes.ts';
import { registerProfileRoutes } from '../pupils/profile-routes.ts';

export function registerMisFeature(app: App, services: Services): void {
  registerMisRoutes(app, services);
  registerProfileRoutes(app, services);
}
