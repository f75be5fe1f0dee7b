// Every page but sign-in, loaded when first opened (issue 14, a fast first load): the first page a
// teacher opens brings only its own code, and the password-strength dictionaries come only with
// the pages that set a password (PasswordStrength loads them on first use, compressed).
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
export const SetPasswordPage = lazy(() =>
  import('../features/identity/SetPassword.tsx').then((m) => ({ default: m.SetPasswordPage })),
);
export const ForgottenPasswordPage = lazy(() =>
  import('../features/identity/SetPassword.tsx').then((m) => ({
    default: m.ForgottenPasswordPage,
  })),
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
export const AdminPoliciesPage = lazy(() =>
  import('../features/administration/AdminPolicies.tsx').then((m) => ({
    default: m.AdminPoliciesPage,
  })),
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
