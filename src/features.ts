// Every feature's routes, registered in one place. A new feature adds one line here (and its
// rows in the access tests, which are generated from the registered routes).
import type { App } from './http/app.ts';
import type { Services } from './platform/services.ts';
import { registerHealthRoutes } from './features/health/routes.ts';
import { registerAuthRoutes } from './features/identity/routes.ts';
import { registerFactorRoutes } from './features/identity/factor-routes.ts';
import { registerFactorRemovalRoutes } from './features/identity/factor-removal-routes.ts';
import { registerAccountRoutes } from './features/identity/account-routes.ts';
import { registerAdminRoutes } from './features/administration/routes.ts';
import { registerPupilRoutes } from './features/pupils/routes.ts';
import { registerMisFeature } from './features/mis/register.ts';
import { registerCategoryRoutes } from './features/categories/routes.ts';
import { registerConcernRoutes } from './features/concerns/routes.ts';
import { registerRecordRoutes } from './records/routes.ts';

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
