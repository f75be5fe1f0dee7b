// Every feature's routes, registered in one place. A new feature adds one line here (and its
// rows in the access tests, which are generated from the registered routes).
import type { App } from './app.ts';
import type { Services } from '../services.ts';
import { registerHealthRoutes } from '../health/routes.ts';
import { registerAuthRoutes } from '../auth/routes.ts';
import { registerFactorRoutes } from '../auth/factor-routes.ts';
import { registerFactorRemovalRoutes } from '../auth/factor-removal-routes.ts';
import { registerAccountRoutes } from '../auth/account-routes.ts';
import { registerAdminRoutes } from '../admin/routes.ts';
import { registerPupilRoutes } from '../pupils/routes.ts';
import { registerMisFeature } from '../mis/register.ts';
import { registerCategoryRoutes } from '../categories/routes.ts';
import { registerConcernRoutes } from '../concerns/routes.ts';
import { registerRecordRoutes } from '../records/routes.ts';

export async function registerFeatures(app: App, services: Services): Promise<void> {
  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerFactorRoutes(app, services);
  registerFactorRemovalRoutes(app, services);
  registerAccountRoutes(app, services);
  registerAdminRoutes(app, services);
  registerPupilRoutes(app, services);
  registerMisFeature(app, services);
  registerCategoryRoutes(app, services);
  registerConcernRoutes(app, services);
  await registerRecordRoutes(app, services);
  await Promise.resolve();
}
