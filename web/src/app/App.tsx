// The routes. Signed out, every address shows the sign-in page (and returns to that address after).
import { Suspense, type ReactNode } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import { useSessionApi } from './session.tsx';
import { Layout } from './Layout.tsx';
import { SignInPage } from '../features/identity/SignIn.tsx';
import { NotFoundPage } from './NotFound.tsx';
import {
  AccessRequestsPage,
  AccountSecurityPage,
  AdminAccessGridPage,
  AdminAgenciesPage,
  AdminCategoriesPage,
  AdminGroupsPage,
  AdminPoliciesPage,
  SchoolExportPage,
  AdminUsersPage,
  AuditTrailPage,
  BreachesPage,
  CalendarPage,
  CaseManagerListPage,
  CasePage,
  ChronologyPage,
  ComplaintsPage,
  ConcernPage,
  DashboardPage,
  DataProtectionPage,
  EnrolSecondFactorPage,
  ForgottenPasswordPage,
  InspectionPackPage,
  LogConcernPage,
  MatterPage,
  MisAdminPage,
  NewTransferPage,
  PackPage,
  ParentsHubPage,
  ParentsSectionRoute,
  PatternsPage,
  PatternsReviewPage,
  PublicComplaintPage,
  TransferLinkPage,
  PupilAccessLogPage,
  PupilProfilePage,
  ReportsPage,
  RaiseConcernPage,
  ReceiptsPage,
  ReceivedPage,
  ReferencePackPage,
  ReferralPage,
  RequestPage,
  RequestsPage,
  RetentionPage,
  SearchPage,
  SetPasswordPage,
  StaffConcernAuditPage,
  StaffConcernSettingsPage,
  StaffRetentionReviewPage,
  TransferPage,
  TripPage,
  TripsPage,
  TrustGrantsPage,
} from './pages.ts';
import { SourceFooter } from './SourceLink.tsx';

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
// A transfer link's page (issue 18) is for a school on no Lantern: never inside a session's shell.
const EMAILED_LINK_PAGES = new Set([
  '/set-password',
  '/forgotten-password',
  '/complaints/new',
  '/transfer-link',
]);

function Screen() {
  const { state } = useSessionApi();
  const { pathname } = useLocation();
  // Emailed links work whether or not someone is signed in on this browser.
  if (pathname === '/set-password') return <Loading page={<SetPasswordPage />} />;
  if (pathname === '/forgotten-password') return <Loading page={<ForgottenPasswordPage />} />;
  if (pathname === '/complaints/new') return <Loading page={<PublicComplaintPage />} />;
  if (pathname === '/transfer-link') return <Loading page={<TransferLinkPage />} />;
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
  if (state.session.secondFactor?.enrolmentRequired)
    return <Loading page={<EnrolSecondFactorPage />} />;
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
        <Route path="admin/category-access" element={<AdminAccessGridPage />} />
        <Route path="admin/policies" element={<AdminPoliciesPage />} />
        <Route path="trust-access" element={<TrustGrantsPage />} />
        <Route path="admin/referral-agencies" element={<AdminAgenciesPage />} />
        <Route path="admin/access-requests" element={<AccessRequestsPage />} />
        <Route path="admin/school-export" element={<SchoolExportPage />} />
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
        <Route path="reports" element={<ReportsPage />} />
        <Route path="reports/inspection-pack" element={<InspectionPackPage />} />
        <Route path="parents" element={<ParentsHubPage />} />
        <Route path="parents/:section/*" element={<ParentsSectionRoute />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** A page outside the layout, while its code loads (the layout's own pages: Layout.tsx). */
function Loading({ page }: { page: ReactNode }) {
  return (
    <Suspense
      fallback={
        <main className="page page-narrow" id="main">
          <p role="status">Loading Lantern…</p>
        </main>
      }
    >
      {page}
    </Suspense>
  );
}
