// The data-protection register (issue 17): rights requests, breaches and complaints.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { registerRequestRoutes } from './requests/routes.ts';
import { registerBreachRoutes } from './breaches/routes.ts';
import { registerComplaintRoutes } from './complaints/routes.ts';
import { registerSarRoutes } from './sar/routes.ts';
import { registerRightsRoutes } from './rights/routes.ts';
import { registerPackRoutes } from './pack/routes.ts';
import { registerSettingsRoutes } from './settings.ts';

export function registerDataProtectionRoutes(app: App, services: Services): void {
  registerRequestRoutes(app);
  registerSarRoutes(app);
  registerBreachRoutes(app);
  registerComplaintRoutes(app, services);
  registerRightsRoutes(app);
  registerPackRoutes(app, services);
  registerSettingsRoutes(app);
}
