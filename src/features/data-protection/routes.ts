// The data-protection register (issue 17): rights requests, breaches and complaints.
import type { App } from '../../core/feature.ts';
import type { Services } from '../../platform/services.ts';
import { registerRequestRoutes } from './requests/routes.ts';
import { registerBreachRoutes } from './breaches/routes.ts';

export function registerDataProtectionRoutes(app: App, _services: Services): void {
  registerRequestRoutes(app);
  registerBreachRoutes(app);
}
