// Every page but sign-in, loaded when first opened (issue 14, a fast first load): the first page a
// person opens brings only its own code (and what it shares with others), and the password-strength
// dictionaries come only with the pages that set a password (PasswordStrength loads them on first use).
import { lazy } from 'react';

export const EnrolSecondFactorPage = lazy(() =>
  import('../features/identity/EnrolSecondFactor.tsx').then((m) => ({
    default: m.EnrolSecondFactorPage,
  })),
);
export const DashboardPage = lazy(() =>
  import('../features/dashboard/Dashboard.tsx').then((m) => ({ default: m.DashboardPage })),
);
export const LogConcernPage = lazy(() =>
  import('../features/concerns/LogConcern.tsx').then((m) => ({ default: m.LogConcernPage })),
);
export const ChronologyPage = lazy(() =>
  import('../features/chronology/Chronology.tsx').then((m) => ({ default: m.ChronologyPage })),
);
export const ConcernPage = lazy(() =>
  import('../features/concerns/Concern.tsx').then((m) => ({ default: m.ConcernPage })),
);
export const PupilProfilePage = lazy(() =>
  import('../features/pupils/PupilProfile.tsx').then((m) => ({ default: m.PupilProfilePage })),
);
export const AccountSecurityPage = lazy(() =>
  import('../features/identity/AccountSecurity.tsx').then((m) => ({
    default: m.AccountSecurityPage,
  })),
);
export const ForgottenPasswordPage = lazy(() =>
  import('../features/identity/SetPassword.tsx').then((m) => ({
    default: m.ForgottenPasswordPage,
  })),
);
export const SetPasswordPage = lazy(() =>
  import('../features/identity/SetPassword.tsx').then((m) => ({ default: m.SetPasswordPage })),
);
export const MisAdminPage = lazy(() =>
  import('../features/mis/MisAdmin.tsx').then((m) => ({ default: m.MisAdminPage })),
);
export const SearchPage = lazy(() =>
  import('../features/search/Search.tsx').then((m) => ({ default: m.SearchPage })),
);
export const AdminUsersPage = lazy(() =>
  import('../features/administration/AdminUsers.tsx').then((m) => ({ default: m.AdminUsersPage })),
);
export const AdminGroupsPage = lazy(() =>
  import('../features/administration/AdminGroups.tsx').then((m) => ({
    default: m.AdminGroupsPage,
  })),
);
export const AdminAccessGridPage = lazy(() =>
  import('../features/administration/AdminAccessGrid.tsx').then((m) => ({
    default: m.AdminAccessGridPage,
  })),
);
export const AdminPoliciesPage = lazy(() =>
  import('../features/administration/AdminPolicies.tsx').then((m) => ({
    default: m.AdminPoliciesPage,
  })),
);
export const TrustGrantsPage = lazy(() =>
  import('../features/trust/TrustGrantsPage.tsx').then((m) => ({ default: m.TrustGrantsPage })),
);
export const AdminAgenciesPage = lazy(() =>
  import('../features/administration/AdminAgencies.tsx').then((m) => ({
    default: m.AdminAgenciesPage,
  })),
);
export const AccessRequestsPage = lazy(() =>
  import('../features/administration/AccessRequests.tsx').then((m) => ({
    default: m.AccessRequestsPage,
  })),
);
export const AdminCategoriesPage = lazy(() =>
  import('../features/categories/AdminCategories.tsx').then((m) => ({
    default: m.AdminCategoriesPage,
  })),
);
export const CasePage = lazy(() =>
  import('../features/cases/Case.tsx').then((m) => ({ default: m.CasePage })),
);
export const ReferralPage = lazy(() =>
  import('../features/referrals/Referral.tsx').then((m) => ({ default: m.ReferralPage })),
);
export const RetentionPage = lazy(() =>
  import('../features/retention/RetentionPage.tsx').then((m) => ({ default: m.RetentionPage })),
);
export const AuditTrailPage = lazy(() =>
  import('../features/audit-trail/AuditTrailPage.tsx').then((m) => ({ default: m.AuditTrailPage })),
);
export const PupilAccessLogPage = lazy(() =>
  import('../features/audit-trail/PupilAccessLog.tsx').then((m) => ({
    default: m.PupilAccessLogPage,
  })),
);
export const TransferPage = lazy(() =>
  import('../features/transfers/TransferPage.tsx').then((m) => ({ default: m.TransferPage })),
);
export const NewTransferPage = lazy(() =>
  import('../features/transfers/NewTransferPage.tsx').then((m) => ({ default: m.NewTransferPage })),
);
export const ReceivedPage = lazy(() =>
  import('../features/transfers/ReceivedPage.tsx').then((m) => ({ default: m.ReceivedPage })),
);
export const CalendarPage = lazy(() =>
  import('../features/calendar/CalendarPage.tsx').then((m) => ({ default: m.CalendarPage })),
);
export const DataProtectionPage = lazy(() =>
  import('../features/data-protection/DataProtectionPage.tsx').then((m) => ({
    default: m.DataProtectionPage,
  })),
);
export const PackPage = lazy(() =>
  import('../features/data-protection/PackPage.tsx').then((m) => ({ default: m.PackPage })),
);
export const PublicComplaintPage = lazy(() =>
  import('../features/data-protection/complaints/PublicComplaintPage.tsx').then((m) => ({
    default: m.PublicComplaintPage,
  })),
);
export const RequestsPage = lazy(() =>
  import('../features/data-protection/RequestsPage.tsx').then((m) => ({ default: m.RequestsPage })),
);
export const RequestPage = lazy(() =>
  import('../features/data-protection/RequestPage.tsx').then((m) => ({ default: m.RequestPage })),
);
export const BreachesPage = lazy(() =>
  import('../features/data-protection/BreachesPage.tsx').then((m) => ({ default: m.BreachesPage })),
);
export const ComplaintsPage = lazy(() =>
  import('../features/data-protection/ComplaintsPage.tsx').then((m) => ({
    default: m.ComplaintsPage,
  })),
);
export const TripsPage = lazy(() => import('../features/trips/TripsPage.tsx'));
export const TripPage = lazy(() =>
  import('../features/trips/TripPage.tsx').then((m) => ({ default: m.TripPage })),
);
export const RaiseConcernPage = lazy(() =>
  import('../features/staff-concerns/RaiseConcern.tsx').then((m) => ({
    default: m.RaiseConcernPage,
  })),
);
export const ReceiptsPage = lazy(() =>
  import('../features/staff-concerns/Receipts.tsx').then((m) => ({ default: m.ReceiptsPage })),
);
export const CaseManagerListPage = lazy(() =>
  import('../features/staff-concerns/CaseManagerList.tsx').then((m) => ({
    default: m.CaseManagerListPage,
  })),
);
export const MatterPage = lazy(() =>
  import('../features/staff-concerns/MatterPage.tsx').then((m) => ({ default: m.MatterPage })),
);
export const StaffConcernSettingsPage = lazy(() =>
  import('../features/staff-concerns/SettingsPage.tsx').then((m) => ({
    default: m.StaffConcernSettingsPage,
  })),
);
export const PatternsReviewPage = lazy(() =>
  import('../features/staff-concerns/PatternsPage.tsx').then((m) => ({
    default: m.PatternsReviewPage,
  })),
);
export const StaffConcernAuditPage = lazy(() =>
  import('../features/staff-concerns/AuditPage.tsx').then((m) => ({
    default: m.StaffConcernAuditPage,
  })),
);
export const ReferencePackPage = lazy(() =>
  import('../features/staff-concerns/ReferencePackPage.tsx').then((m) => ({
    default: m.ReferencePackPage,
  })),
);
export const PatternsPage = lazy(() =>
  import('../features/patterns/PatternsPage.tsx').then((m) => ({ default: m.PatternsPage })),
);
export const InspectionPackPage = lazy(() =>
  import('../features/reports/InspectionPackPage.tsx').then((m) => ({
    default: m.InspectionPackPage,
  })),
);
export const ParentsHubPage = lazy(() =>
  import('../features/parents/ParentsHub.tsx').then((m) => ({ default: m.ParentsHubPage })),
);
export const ParentsSectionRoute = lazy(() =>
  import('../features/parents/ParentsHub.tsx').then((m) => ({ default: m.ParentsSectionRoute })),
);
export const StaffRetentionReviewPage = lazy(() =>
  import('../features/staff-concerns/RetentionReviewPage.tsx').then((m) => ({
    default: m.StaffRetentionReviewPage,
  })),
);
// The charts' library is the largest of all: only the reports page brings it.
export const ReportsPage = lazy(() =>
  import('../features/reports/ReportsPage.tsx').then((m) => ({ default: m.ReportsPage })),
);
export const TransferLinkPage = lazy(() =>
  import('../features/transfers/TransferLinkPage.tsx').then((m) => ({
    default: m.TransferLinkPage,
  })),
);
export const SchoolExportPage = lazy(() =>
  import('../features/school-exit/SchoolExportPage.tsx').then((m) => ({
    default: m.SchoolExportPage,
  })),
);
