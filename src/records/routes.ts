// Issue 4's features, registered together so src/http/features.ts needs one line.
import type { App } from '../http/app.ts';
import type { Services } from '../services.ts';
import { registerAlertRoutes } from '../alerts/routes.ts';
import { registerActionRoutes } from '../actions/routes.ts';
import { registerReferralRoutes } from '../referrals/routes.ts';
import { registerCaseRoutes } from '../cases/routes.ts';
import { registerSearchRoutes } from '../search/routes.ts';
import { registerVaultRoutes } from '../vault/routes.ts';
import { registerDashboardRoutes } from '../dashboard/routes.ts';
import { registerStaffRoutes } from '../users/staff-routes.ts';

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
