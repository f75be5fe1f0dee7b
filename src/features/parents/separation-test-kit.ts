// The separation test's rows (separation.test.ts): one per parent route, "METHOD /path" → how to
// call it, as which parent and for which child. The test is generated from the route list and
// fails naming any /api/parent/ route without a row here. Each feature keeps its rows in its own
// exported list and adds ONE spread line to PARENT_ROUTE_ROWS below (F: forms, M: medical).
import type { TestApp } from '../../test/harness.ts';
import { parentCode, type TestParent } from './parent-test-kit.ts';
import { MEDICAL_PARENT_ROWS } from '../medical/parent-rows-test-kit.ts';
import { FORMS_ROWS } from '../admissions/parent-rows-test-kit.ts';

/** What every row is given: school A, the parent (family A) and their child, another family. */
export type SeparationFixture = {
  t: TestApp;
  schoolId: string;
  /** Family A's parent (accepted, second factor) and their child. */
  parent: TestParent;
  childId: string;
  /** Family B: another parent in the same school, with their own child. */
  otherParent: TestParent;
  otherChildId: string;
  /** A staff member's (the DSL's, elevated) session of school A. */
  staff: { cookie: string; csrf: string };
};

export type ParentRouteRow = {
  /** How to call it as family A's parent, about family A's child (`f.childId`). */
  request(
    f: SeparationFixture,
  ): { url: string; payload?: unknown } | Promise<{ url: string; payload?: unknown }>;
  /**
   * 'child': the request names the child, so family B's parent asking it gets 404 "No such
   * child." with nothing changed. 'own': it concerns only the caller (their session, their list).
   */
  about: 'child' | 'own';
  /** Reachable signed out (sign-in, accepting an invitation): never answered with a context. */
  public?: true;
  /** Ends or replaces the session: every call signs in afresh. */
  freshSession?: true;
  /** The answer family A's parent gets; 'ok' (2xx) unless said. */
  expect?: 'ok' | number;
  /** Tables whose rows must be unchanged by family B's refused attempt (besides the door's). */
  tables?: string[];
};

/** The door's own routes (sign-in, session, children). */
export const DOOR_ROWS: Record<string, ParentRouteRow> = {
  'POST /api/parent/auth/sign-in': {
    public: true,
    about: 'own',
    freshSession: true,
    request: (f) => ({
      url: '/api/parent/auth/sign-in',
      payload: { email: f.parent.email, password: f.parent.password },
    }),
  },
  'POST /api/parent/auth/code': {
    about: 'own',
    request: () => ({ url: '/api/parent/auth/code', payload: { code: '000000' } }),
  },
  'POST /api/parent/auth/recovery-code': {
    about: 'own', // a full session is signed in already: answered with it, no code spent
    request: () => ({ url: '/api/parent/auth/recovery-code', payload: { code: 'aaaa-bbbb-cccc' } }),
  },
  'POST /api/parent/auth/totp/enrol': {
    about: 'own',
    expect: 409, // a full session has its factor already
    request: () => ({ url: '/api/parent/auth/totp/enrol' }),
  },
  'POST /api/parent/auth/passkey/options': {
    about: 'own',
    expect: 409, // a full session is not setting one up, and this parent has no passkey
    request: () => ({ url: '/api/parent/auth/passkey/options' }),
  },
  'POST /api/parent/auth/passkey': {
    about: 'own',
    request: () => ({ url: '/api/parent/auth/passkey', payload: { response: {} } }),
  },
  'GET /api/parent/session': {
    about: 'own',
    request: () => ({ url: '/api/parent/session' }),
  },
  'POST /api/parent/auth/sign-out': {
    about: 'own',
    freshSession: true,
    request: () => ({ url: '/api/parent/auth/sign-out' }),
  },
  'GET /api/parent/children': {
    about: 'own',
    request: () => ({ url: '/api/parent/children' }),
  },
  'GET /api/parent/children/:pupilId': {
    about: 'child',
    request: (f) => ({ url: `/api/parent/children/${f.childId}` }),
  },
};

/** Accepting an invitation, and the parent's own sessions (issue 21, step 2). */
export const ACCOUNT_ROWS: Record<string, ParentRouteRow> = {
  'POST /api/parent/invitation/check': {
    public: true,
    about: 'own',
    expect: 400, // an unknown link: refused with a message (invitations.test.ts takes a real one)
    request: () => ({
      url: '/api/parent/invitation/check',
      payload: { token: 'x'.repeat(43), dateOfBirth: '2020-01-01' },
    }),
  },
  'POST /api/parent/invitation/accept': {
    public: true,
    about: 'own',
    expect: 400,
    request: () => ({
      url: '/api/parent/invitation/accept',
      payload: { token: 'x'.repeat(43), dateOfBirth: '2020-01-01', password: 'x' },
    }),
  },
  'GET /api/parent/account/sessions': {
    about: 'own',
    request: () => ({ url: '/api/parent/account/sessions' }),
  },
  'GET /api/parent/account/recovery-codes': {
    about: 'own',
    request: () => ({ url: '/api/parent/account/recovery-codes' }),
  },
  'POST /api/parent/account/recovery-codes': {
    about: 'own',
    request: async (f) => ({
      url: '/api/parent/account/recovery-codes',
      payload: { code: await parentCode(f.t, f.parent) },
    }),
  },
  'POST /api/parent/account/sign-out-everywhere': {
    about: 'own',
    freshSession: true,
    request: () => ({ url: '/api/parent/account/sign-out-everywhere' }),
  },
};

/** Every parent route's row: add your feature's list here with one spread line. */
export const PARENT_ROUTE_ROWS: Record<string, ParentRouteRow> = {
  ...DOOR_ROWS,
  // Before ACCOUNT_ROWS: its "sign out everywhere" ends the parent's cached session.
  ...MEDICAL_PARENT_ROWS,
  ...FORMS_ROWS,
  ...ACCOUNT_ROWS,
};
