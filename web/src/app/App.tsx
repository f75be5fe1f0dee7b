// The routes. Signed out, every address shows the sign-in page (and returns to that address after).
import { lazy, Suspense } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import { useSessionApi } from './session.tsx';
import { Layout } from './Layout.tsx';
import { SignInPage } from '../features/identity/SignIn.tsx';
import { NotFoundPage } from './NotFound.tsx';
import { SourceFooter } from './SourceLink.tsx';
import { EnrolSecondFactorPage } from '../features/identity/EnrolSecondFactor.tsx';
import { DashboardPage } from '../features/dashboard/Dashboard.tsx';
import { LogConcernPage } from '../features/concerns/LogConcern.tsx';
import { ChronologyPage } from '../features/chronology/Chronology.tsx';
import { ConcernPage } from '../features/concerns/Concern.tsx';
import { PupilProfilePage } from '../features/pupils/PupilProfile.tsx';
import { AccountSecurityPage } from '../features/identity/AccountSecurity.tsx';
import { ForgottenPasswordPage, SetPasswordPage } from '../features/identity/SetPassword.tsx';
import { MisAdminPage } from '../features/mis/MisAdmin.tsx';
import { SearchPage } from '../features/search/Search.tsx';
import { AdminUsersPage } from '../features/administration/AdminUsers.tsx';
import { AdminGroupsPage } from '../features/administration/AdminGroups.tsx';
import { AdminPoliciesPage } from '../features/administration/AdminPolicies.tsx';
import { TrustGrantsPage } from '../features/trust/TrustGrantsPage.tsx';
import { AdminAgenciesPage } from '../features/administration/AdminAgencies.tsx';
import { AccessRequestsPage } from '../features/administration/AccessRequests.tsx';
import { AdminCategoriesPage } from '../features/categories/AdminCategories.tsx';
import { CasePage } from '../features/cases/Case.tsx';
import { ReferralPage } from '../features/referrals/Referral.tsx';
import { RetentionPage } from '../features/retention/RetentionPage.tsx';
import { AuditTrailPage } from '../features/audit-trail/AuditTrailPage.tsx';
import { PupilAccessLogPage } from '../features/audit-trail/PupilAccessLog.tsx';
import { TransferPage } from '../features/transfers/TransferPage.tsx';
import { NewTransferPage } from '../features/transfers/NewTransferPage.tsx';
import { ReceivedPage } from '../features/transfers/ReceivedPage.tsx';
import { CalendarPage } from '../features/calendar/CalendarPage.tsx';
import { DataProtectionPage } from '../features/data-protection/DataProtectionPage.tsx';
import { PackPage } from '../features/data-protection/PackPage.tsx';
import { PublicComplaintPage } from '../features/data-protection/complaints/PublicComplaintPage.tsx';
import { RequestsPage } from '../features/data-protection/RequestsPage.tsx';
import { RequestPage } from '../features/data-protection/RequestPage.tsx';
import { BreachesPage } from '../features/data-protection/BreachesPage.tsx';
import { ComplaintsPage } from '../features/data-protection/ComplaintsPage.tsx';
import TripsPage from '../features/trips/TripsPage.tsx';
import { TripPage } from '../features/trips/TripPage.tsx';
import { RaiseConcernPage } from '../features/staff-concerns/RaiseConcern.tsx';
import { ReceiptsPage } from '../features/staff-concerns/Receipts.tsx';
import { CaseManagerListPage } from '../features/staff-concerns/CaseManagerList.tsx';
import { MatterPage } from '../features/staff-concerns/MatterPage.tsx';
import { StaffConcernSettingsPage } from '../features/staff-concerns/SettingsPage.tsx';
import { PatternsReviewPage } from '../features/staff-concerns/PatternsPage.tsx';
import { StaffConcernAuditPage } from '../features/staff-concerns/AuditPage.tsx';
import { ReferencePackPage } from '../features/staff-concerns/ReferencePackPage.tsx';
import { StaffRetentionReviewPage } from '../features/staff-concerns/RetentionReviewPage.tsx';
import { PatternsPage } from '../features/patterns/PatternsPage.tsx';
import { InspectionPackPage } from '../features/reports/InspectionPackPage.tsx';

// Pages with a large library of their own (the charts) load when first opened, so nobody else's
// first load carries them.
const ReportsPage = lazy(() =>
  import('../features/reports/ReportsPage.tsx').then((m) => ({ default: m.ReportsPage })),
);
const loadingPage = <p role="status">Loading…</p>;
import { ParentsHubPage, ParentsSectionRoute } from '../features/parents/ParentsHub.tsx';

export function App() {
  const { state } = useSessionApi();
  const { pathname } = useLocation();
  const screen = <Screen />;
  // The layout of a signed-in page carries the link itself (inside what "Hide screen" hides).
  const inLayout =
    state.status === 'signed-in' &&
    !state.session.secondFactor?.enrolmentRequired &&
    !EMAILED_LINK_PAGES.has(pathname);
  if (inLayout) return screen;
  return (
    <>
      {screen}
      <SourceFooter href={state.status === 'signed-in' ? state.session.sourceUrl : undefined} />
    </>
  );
}

// Pages for people without a session too: emailed links, and the public complaint form (issue 17).
const EMAILED_LINK_PAGES = new Set(['/set-password', '/forgotten-password', '/complaints/new']);

function Screen() {
  const { state } = useSessionApi();
  const { pathname } = useLocation();
  // Emailed links work whether or not someone is signed in on this browser.
  if (pathname === '/set-password') return <SetPasswordPage />;
  if (pathname === '/forgotten-password') return <ForgottenPasswordPage />;
  if (pathname === '/complaints/new') return <PublicComplaintPage />;
  if (state.status === 'loading') {
    return (
      <main className="page page-narrow" id="main">
        <p role="status">Loading Lantern…</p>
      </main>
    );
  }
  if (state.status === 'signed-out')
    return <SignInPage {...(state.notice ? { notice: state.notice } : {})} />;
  // The school requires a second factor and there is none: nothing else until one is set up.
  if (state.session.secondFactor?.enrolmentRequired) return <EnrolSecondFactorPage />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<DashboardPage />} />
        <Route path="concerns/new" element={<LogConcernPage />} />
        <Route path="concerns/:id" element={<ConcernPage />} />
        <Route path="pupils/:id" element={<ChronologyPage />} />
        <Route path="pupils/:id/profile" element={<PupilProfilePage />} />
        <Route path="account" element={<AccountSecurityPage />} />
        <Route path="trips" element={<TripsPage />} />
        <Route path="trips/:id" element={<TripPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="admin/mis" element={<MisAdminPage />} />
        <Route path="admin/users" element={<AdminUsersPage />} />
        <Route path="admin/groups" element={<AdminGroupsPage />} />
        <Route path="admin/categories" element={<AdminCategoriesPage />} />
        <Route path="admin/policies" element={<AdminPoliciesPage />} />
        <Route path="trust-access" element={<TrustGrantsPage />} />
        <Route path="admin/referral-agencies" element={<AdminAgenciesPage />} />
        <Route path="admin/access-requests" element={<AccessRequestsPage />} />
        <Route path="cases/:id" element={<CasePage />} />
        <Route path="referrals/:id" element={<ReferralPage />} />
        <Route path="retention" element={<RetentionPage />} />
        <Route path="audit" element={<AuditTrailPage />} />
        <Route path="pupils/:id/access-log" element={<PupilAccessLogPage />} />
        <Route path="pupils/:id/leaving" element={<NewTransferPage />} />
        <Route path="transfers/inbox/:id" element={<ReceivedPage />} />
        <Route path="transfers/:id" element={<TransferPage />} />
        <Route path="admin/calendar" element={<CalendarPage />} />
        <Route path="data-protection" element={<DataProtectionPage />} />
        <Route path="data-protection/requests" element={<RequestsPage />} />
        <Route path="data-protection/requests/:id" element={<RequestPage />} />
        <Route path="data-protection/breaches" element={<BreachesPage />} />
        <Route path="data-protection/complaints" element={<ComplaintsPage />} />
        <Route path="data-protection/pack" element={<PackPage />} />
        <Route path="staff-concerns/new" element={<RaiseConcernPage />} />
        <Route path="staff-concerns/receipts" element={<ReceiptsPage />} />
        <Route path="staff-concerns" element={<CaseManagerListPage />} />
        <Route path="staff-concerns/settings" element={<StaffConcernSettingsPage />} />
        <Route path="staff-concerns/patterns" element={<PatternsReviewPage />} />
        <Route path="staff-concerns/audit" element={<StaffConcernAuditPage />} />
        <Route path="staff-concerns/reference-pack" element={<ReferencePackPage />} />
        <Route path="staff-concerns/retention" element={<StaffRetentionReviewPage />} />
        <Route path="staff-concerns/:id" element={<MatterPage />} />
        <Route path="patterns" element={<PatternsPage />} />
        <Route
          path="reports"
          element={
            <Suspense fallback={loadingPage}>
              <ReportsPage />
            </Suspense>
          }
        />
        <Route path="reports/inspection-pack" element={<InspectionPackPage />} />
        <Route path="parents" element={<ParentsHubPage />} />
        <Route path="parents/:section/*" element={<ParentsSectionRoute />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
