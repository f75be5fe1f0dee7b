// The one list of features, handed by src/main.ts (and the test harness) to the app builder. A new
// feature adds one line here; its access rows are generated from the routes it registers. Nothing
// under src/features/ imports this file back.
import type { Feature } from './core/feature.ts';
import { registerHealthRoutes } from './features/health/routes.ts';
import { registerAuthRoutes } from './features/identity/routes.ts';
import { registerTotpRoutes } from './features/identity/totp-routes.ts';
import { registerWebAuthnRoutes } from './features/identity/webauthn-routes.ts';
import { registerFactorRemovalRoutes } from './features/identity/factor-removal-routes.ts';
import { registerAccountRoutes } from './features/identity/account-routes.ts';
import { registerAdminRoutes } from './features/administration/routes.ts';
import { registerStaffRoutes } from './features/administration/staff-routes.ts';
import { registerApprovalRoutes } from './features/administration/approval-routes.ts';
import { registerPupilRoutes } from './features/pupils/routes.ts';
import { registerProfileRoutes } from './features/pupils/profile-routes.ts';
import { registerChronologyRoutes } from './features/chronology/routes.ts';
import { registerMisRoutes } from './features/mis/routes.ts';
import { registerCategoryRoutes } from './features/categories/routes.ts';
import { registerConcernRoutes } from './features/concerns/routes.ts';
import { registerAlertRoutes } from './features/alerts/routes.ts';
import { registerActionRoutes } from './features/actions/routes.ts';
import { registerReferralRoutes } from './features/referrals/routes.ts';
import { registerCaseRoutes } from './features/cases/routes.ts';
import { registerConversationRoutes } from './features/conversations/routes.ts';
import { registerSearchRoutes } from './features/search/routes.ts';
import { registerDashboardRoutes } from './features/dashboard/routes.ts';
import { registerVaultRoutes } from './features/vault/routes.ts';
import { registerRetentionRoutes } from './features/retention/routes.ts';
import { registerReviewRoutes } from './features/retention/review-routes.ts';
import { registerDestructionRoutes } from './features/retention/destroy-routes.ts';
import { registerDraftRoutes } from './features/drafts/routes.ts';
import { registerAuditTrailRoutes } from './features/audit-trail/routes.ts';
import { registerCalendarRoutes } from './features/calendar/routes.ts';
import { registerTransferRoutes } from './features/transfers/routes.ts';
import { registerDataProtectionRoutes } from './features/data-protection/routes.ts';
import { registerStaffConcernRoutes } from './features/staff-concerns/routes.ts';
import { registerReportRoutes } from './features/reports/routes.ts';
import { registerPatternRoutes } from './features/patterns/routes.ts';
import { registerMedicalRoutes } from './features/medical/routes.ts';
import { registerParentMedicalRoutes } from './features/medical/parent-routes.ts';
import { registerTripRoutes } from './features/trips/routes.ts';
import { registerAdmissionRoutes } from './features/admissions/routes.ts';
import { registerConsentRoutes } from './features/consents/routes.ts';
import { registerParentAdmissionRoutes } from './features/admissions/parent-routes.ts';
import { registerParentConsentRoutes } from './features/consents/parent-routes.ts';
import { registerParentRoutes } from './features/parents/routes.ts';
import { registerParentStaffRoutes } from './features/parents/staff-routes.ts';
import { registerTrustRoutes } from './features/trust/routes.ts';
import { registerTrustStaffRoutes } from './features/trust/staff-routes.ts';
import { registerSchoolExitRoutes } from './features/school-exit/routes.ts';

export const FEATURES: readonly Feature[] = [
  { name: 'health', routes: registerHealthRoutes },
  {
    name: 'identity',
    routes(app, services) {
      registerAuthRoutes(app, services);
      registerTotpRoutes(app, services);
      registerWebAuthnRoutes(app, services);
      registerFactorRemovalRoutes(app, services);
      registerAccountRoutes(app, services);
    },
  },
  {
    name: 'administration',
    routes(app, services) {
      registerAdminRoutes(app, services);
      registerStaffRoutes(app, services);
      registerApprovalRoutes(app);
    },
  },
  {
    name: 'pupils',
    routes(app, services) {
      registerPupilRoutes(app, services);
      registerProfileRoutes(app, services);
    },
  },
  { name: 'chronology', routes: registerChronologyRoutes },
  { name: 'mis', routes: registerMisRoutes },
  { name: 'categories', routes: registerCategoryRoutes },
  { name: 'concerns', routes: registerConcernRoutes },
  { name: 'alerts', routes: registerAlertRoutes },
  { name: 'actions', routes: registerActionRoutes },
  { name: 'referrals', routes: registerReferralRoutes },
  { name: 'cases', routes: registerCaseRoutes },
  { name: 'conversations', routes: registerConversationRoutes },
  { name: 'drafts', routes: registerDraftRoutes },
  { name: 'search', routes: registerSearchRoutes },
  { name: 'dashboard', routes: registerDashboardRoutes },
  { name: 'vault', routes: registerVaultRoutes },
  {
    name: 'retention',
    routes(app, services) {
      registerRetentionRoutes(app, services);
      registerReviewRoutes(app, services);
      registerDestructionRoutes(app, services);
    },
  },
  { name: 'audit-trail', routes: registerAuditTrailRoutes },
  { name: 'calendar', routes: registerCalendarRoutes },
  { name: 'transfers', routes: registerTransferRoutes },
  { name: 'data-protection', routes: registerDataProtectionRoutes },
  { name: 'staff-concerns', routes: registerStaffConcernRoutes },
  { name: 'reports', routes: registerReportRoutes },
  { name: 'patterns', routes: registerPatternRoutes },
  {
    name: 'medical',
    routes(app) {
      registerMedicalRoutes(app);
      registerParentMedicalRoutes(app);
    },
  },
  { name: 'trips', routes: registerTripRoutes },
  {
    name: 'admissions',
    routes(app) {
      registerAdmissionRoutes(app);
      registerParentAdmissionRoutes(app);
    },
  },
  {
    name: 'consents',
    routes(app) {
      registerConsentRoutes(app);
      registerParentConsentRoutes(app);
    },
  },
  {
    name: 'parents',
    routes(app, services) {
      registerParentRoutes(app, services);
      registerParentStaffRoutes(app, services);
    },
  },
  {
    name: 'trust',
    routes(app, services) {
      registerTrustRoutes(app, services);
      registerTrustStaffRoutes(app, services);
    },
  },
  { name: 'school-exit', routes: registerSchoolExitRoutes },
];
