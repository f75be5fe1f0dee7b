// The separation test's rows for the parent routes of admission and consent forms (issue 21):
// each names family A's child; family B's parent asking the same is refused "No such child." with
// the forms' tables unchanged. Each row makes its own form (sent by the fixture's DSL, who has the
// `parents` capability) so no row depends on another.
import { expect } from 'vitest';
import { call, type Session, type TestApp } from '../../test/harness.ts';

/** What these rows use of the separation fixture (typed here: the kit imports this file). */
type SeparationFixture = { t: TestApp; childId: string; staff: Session };
type ParentRouteRow = {
  about: 'child';
  tables?: string[];
  request(
    f: SeparationFixture,
  ): { url: string; payload?: unknown } | Promise<{ url: string; payload?: unknown }>;
};

async function sentAdmission(f: SeparationFixture): Promise<string> {
  const made = await call(f.t.app, f.staff, 'POST', '/api/admissions/forms', {
    title: 'Separation admission',
    intake: 'reception',
    questions: [{ field: 'ethnicity', required: false }],
  });
  expect(made.statusCode, made.body).toBe(201);
  const formUrl = `/api/admissions/forms/${made.json<{ id: string }>().id}`;
  const sent = await call(f.t.app, f.staff, 'POST', `${formUrl}/send`, { pupilIds: [f.childId] });
  expect(sent.statusCode, sent.body).toBe(200);
  const detail = await call(f.t.app, f.staff, 'GET', formUrl);
  return detail.json<{ requests: { id: string }[] }>().requests[0]!.id;
}

async function consentVersion(f: SeparationFixture): Promise<string> {
  const made = await call(f.t.app, f.staff, 'POST', '/api/consents/forms', {
    title: 'Separation consent',
    text: `Local trips ${Math.random()}`,
    pupilIds: [f.childId],
  });
  expect(made.statusCode, made.body).toBe(201);
  const detail = await call(
    f.t.app,
    f.staff,
    'GET',
    `/api/consents/forms/${made.json<{ id: string }>().id}`,
  );
  return detail.json<{ versions: { id: string }[] }>().versions[0]!.id;
}

export const FORMS_ROWS: Record<string, ParentRouteRow> = {
  'GET /api/parent/children/:pupilId/admissions': {
    about: 'child',
    request: (f) => ({ url: `/api/parent/children/${f.childId}/admissions` }),
  },
  'GET /api/parent/children/:pupilId/admissions/:requestId': {
    about: 'child',
    request: async (f) => ({
      url: `/api/parent/children/${f.childId}/admissions/${await sentAdmission(f)}`,
    }),
  },
  'PUT /api/parent/children/:pupilId/admissions/:requestId': {
    about: 'child',
    tables: ['admission_requests'],
    request: async (f) => ({
      url: `/api/parent/children/${f.childId}/admissions/${await sentAdmission(f)}`,
      payload: { answers: { ethnicity: 'WBRI' }, submit: false },
    }),
  },
  'GET /api/parent/children/:pupilId/consents': {
    about: 'child',
    request: (f) => ({ url: `/api/parent/children/${f.childId}/consents` }),
  },
  'POST /api/parent/children/:pupilId/consents': {
    about: 'child',
    tables: ['consent_answers'],
    request: async (f) => ({
      url: `/api/parent/children/${f.childId}/consents`,
      payload: { versionId: await consentVersion(f), answer: 'given' },
    }),
  },
};
