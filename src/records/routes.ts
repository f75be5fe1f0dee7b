// Issue 4's features, registered together so src/http/features.ts needs one line.
import type { App } from '../http/app.ts';
import type { Services } from '../platform/services.ts';
import { registerAlertRoutes } from '../features/alerts/routes.ts';
import { registerActionRoutes } from '../features/actions/routes.ts';
import { registerReferralRoutes } from '../features/referrals/routes.ts';
import { registerCaseRoutes } from '../features/cases/routes.ts';
import { registerSearchRoutes } from '../features/search/routes.ts';
import { registerVaultRoutes } from '../features/vault/routes.ts';
import { registerDashboardRoutes } from '../features/dashboard/routes.ts';
import { registerStaffRoutes } from '../features/administration/staff-routes.ts';

export async function registerRecordRoutes(app: App, services: Services): Promise<void> {
  registerAlertRoutes(app, services);
  registerActionRoutes(app, services);
  registerReferralRoutes(app, services);
  registerCaseRoutes(app, services);
  registerSearchRoutes(app, services);
  registerDashboardRoutes(app, services);
  registerStaffRoutes(app, services);
  await registerVaultRoutes(app, services);
}
