// The separation test's rows for the parents' medical routes (issue 21): each names family A's
// child, so family B's parent gets 404 "No such child." with the medical tables unchanged. A
// change to confirm, or a plan to download, is made first by the school (the DSL, elevated).
import { call, type Session, type TestApp } from '../../test/harness.ts';

// The parts of the separation test's fixture and row these rows use (parents/separation-test-kit.ts
// spreads this list, so importing its types back would make a cycle).
type SeparationFixture = { t: TestApp; childId: string; staff: Session };
type ParentRouteRow = {
  about: 'child';
  tables: string[];
  request(
    f: SeparationFixture,
  ): Promise<{ url: string; payload?: unknown }> | { url: string; payload?: unknown };
};

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');
const plan = () => ({
  kind: 'action_plan',
  title: 'Separation plan',
  expiresOn: '2099-01-01',
  fileName: 'plan.pdf',
  content: PDF,
});
const tables = ['medical_entries', 'medical_plans'];

async function bySchool(f: SeparationFixture, what: 'entries' | 'plans'): Promise<string> {
  const res = await call(
    f.t.app,
    f.staff,
    'POST',
    `/api/pupils/${f.childId}/medical/${what}`,
    what === 'entries' ? { kind: 'dietary', content: { name: 'Vegetarian' } } : plan(),
  );
  if (res.statusCode !== 201) throw new Error(`the school's change failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

export const MEDICAL_PARENT_ROWS: Record<string, ParentRouteRow> = {
  'GET /api/parent/children/:pupilId/medical': {
    about: 'child',
    tables,
    request: (f) => ({ url: `/api/parent/children/${f.childId}/medical` }),
  },
  'POST /api/parent/children/:pupilId/medical/entries': {
    about: 'child',
    tables,
    request: (f) => ({
      url: `/api/parent/children/${f.childId}/medical/entries`,
      payload: { kind: 'allergy', content: { name: 'Sesame', severity: 'severe' } },
    }),
  },
  'POST /api/parent/children/:pupilId/medical/plans': {
    about: 'child',
    tables,
    request: (f) => ({ url: `/api/parent/children/${f.childId}/medical/plans`, payload: plan() }),
  },
  'GET /api/parent/children/:pupilId/medical/plans/:changeId/file': {
    about: 'child',
    tables,
    request: async (f) => ({
      url: `/api/parent/children/${f.childId}/medical/plans/${await bySchool(f, 'plans')}/file`,
    }),
  },
  ...Object.fromEntries(
    (['entries', 'plans'] as const).flatMap((what) =>
      (['confirm', 'decline'] as const).map((answer) => [
        `POST /api/parent/children/:pupilId/medical/${what}/:changeId/${answer}`,
        {
          about: 'child',
          tables,
          request: async (f: SeparationFixture) => ({
            url: `/api/parent/children/${f.childId}/medical/${what}/${await bySchool(f, what)}/${answer}`,
          }),
        } satisfies ParentRouteRow,
      ]),
    ),
  ),
};
